/* libFuzzer target: spxbox-oci's reading of config.json, on arbitrary
 * JSON (jansson parses; the walk over its fields is ours). */
#include "../../sandbox/oci_config.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int rootfs = -2;
	if (rootfs == -2)
		rootfs = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	json_t *cfg = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
	if (cfg == NULL)
		return 0;
	const struct oci_paths paths = {.spxbox = "/spxbox", .bundle = "/bundle", .id = "fuzz",
					.logs_dir = "/logs", .head = "/head", .fifo = "/fifo"};
	struct oci_plan plan;
	char err[256];
	(void)oci_config_from(&paths, cfg, "/", rootfs, &plan, err, sizeof(err));
	oci_plan_free(&plan);
	json_decref(cfg);
	return 0;
}
