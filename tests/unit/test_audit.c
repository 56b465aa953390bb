/* Unit tests of libspxaudit: chain values, path encoding, times, and a
 * writer/reader round trip with each kind of damage. */
#include "chain.h"
#include "reader.h"
#include "record.h"
#include "writer.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

START_TEST(chain_values)
{
	unsigned char out[CHAIN_LEN];
	char hex[CHAIN_HEX_LEN];
	ck_assert_int_eq(chain_link(NULL, "abc", 3, out), 0);
	chain_hex(out, hex);
	/* SHA-256("abc"), FIPS 180-2 */
	ck_assert_str_eq(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	struct chain_key key = {.len = 4};
	memcpy(key.bytes, "Jefe", 4);
	const char *msg = "what do ya want for nothing?";
	ck_assert_int_eq(chain_link(&key, msg, strlen(msg), out), 0);
	chain_hex(out, hex);
	/* HMAC-SHA256 test case 2 of RFC 4231 */
	ck_assert_str_eq(hex, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
	unsigned char back[CHAIN_LEN];
	ck_assert_int_eq(chain_unhex(hex, back), 0);
	ck_assert_mem_eq(back, out, CHAIN_LEN);
	ck_assert_int_eq(chain_unhex("zz", back), -1);
	int p[2];
	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_eq(write(p[1], "abc", 3), 3);
	close(p[1]);
	ck_assert_int_eq(chain_sha256_fd(p[0], hex), 0);
	close(p[0]);
	ck_assert_str_eq(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	ck_assert_int_eq(chain_sha256_fd(-1, hex), -1);
	ck_assert_int_eq(chain_unhex("5BDCC146BF60754E6A042426089575C75A003F089D2739839DEC58B964EC3843", back), -1);
}
END_TEST

START_TEST(paths_round_trip)
{
	json_t *rec = json_object();
	ck_assert_int_eq(record_set_path(rec, "path", "/plain/été"), 0);
	ck_assert_ptr_null(json_object_get(rec, "path_hex"));
	char *p = record_get_path(rec, "path");
	ck_assert_str_eq(p, "/plain/été");
	free(p);
	ck_assert_int_eq(record_set_path(rec, "path2", "/bad\xff\xfe"), 0);
	ck_assert_str_eq(json_string_value(json_object_get(rec, "path2_hex")), "2f626164fffe");
	ck_assert_str_eq(json_string_value(json_object_get(rec, "path2")), "/bad??");
	p = record_get_path(rec, "path2");
	ck_assert_str_eq(p, "/bad\xff\xfe");
	free(p);
	json_decref(rec);
}
END_TEST

START_TEST(times)
{
	struct timespec ts = {.tv_sec = 1764401460, .tv_nsec = 123456789}, back;
	char s[40];
	record_format_time(&ts, s);
	ck_assert_str_eq(s, "2025-11-29T07:31:00.123456789Z");
	ck_assert_int_eq(record_parse_time(s, &back), 0);
	ck_assert_int_eq(back.tv_sec, ts.tv_sec);
	ck_assert_int_eq(back.tv_nsec, ts.tv_nsec);
	ck_assert_int_eq(record_parse_time("2025-11-29T07:31:00Z", &back), 0);
	ck_assert_int_eq(back.tv_nsec, 0);
	ck_assert_int_eq(record_parse_time("2025-11-29 07:31", &back), -1);
	ck_assert_int_eq(record_parse_time("2025-11-29T07:31:00.Z", &back), -1);
	ck_assert_str_eq(record_result(0), "ok");
	ck_assert_str_eq(record_result(ENOENT), "ENOENT");
}
END_TEST

static char logpath[64];

/* Writes a log of n records; returns its head. */
static void write_log(const struct chain_key *key, int n, enum audit_sync sync, char head[CHAIN_HEX_LEN])
{
	snprintf(logpath, sizeof(logpath), "/tmp/spx-unit-log-XXXXXX");
	int fd = mkstemp(logpath);
	ck_assert_int_ge(fd, 0);
	close(fd);
	unlink(logpath);
	int err = 0;
	json_t *header = json_pack("{s:s}", "root", "/r");
	struct audit_writer *w = audit_writer_open(logpath, sync, key, header, &err);
	json_decref(header);
	ck_assert_ptr_nonnull(w);
	ck_assert_int_eq(audit_writer_start(w), 0);
	for (int i = 0; i < n; i++) {
		ck_assert_int_eq(audit_writer_ready(w), 0);
		int64_t seq = audit_writer_append(w, json_pack("{s:s, s:i}", "op", "write", "i", i));
		ck_assert_int_eq(seq, i + 1);
		ck_assert_int_eq(audit_writer_wait(w, seq), 0);
	}
	ck_assert_int_eq(audit_writer_close(w, head), 0);
}

static enum audit_verdict verify_file(const char *path, const struct chain_key *key,
				      const char *head, struct audit_verify_result *res)
{
	FILE *f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	audit_verify(f, key, head, res);
	fclose(f);
	return res->verdict;
}

/* Applies a shell-free edit: replaces the file by lines reordered/omitted. */
static void rewrite(const char *path, const char *edit)
{
	FILE *in = fopen(path, "r");
	char *lines[64];
	size_t cap = 0;
	int n = 0;
	char *line = NULL;
	while (n < 64 && getline(&line, &cap, in) > 0) {
		lines[n++] = line;
		line = NULL;
		cap = 0;
	}
	free(line);
	fclose(in);
	FILE *out = fopen(path, "w");
	for (int i = 0; i < n; i++) {
		if (strcmp(edit, "drop3") == 0 && i == 3)
			continue;
		if (strcmp(edit, "swap34") == 0 && (i == 3 || i == 4)) {
			fputs(lines[i == 3 ? 4 : 3], out);
			continue;
		}
		if (strcmp(edit, "flip") == 0 && i == 2) {
			char *c = strstr(lines[i], "\"i\":1");
			if (c != NULL)
				c[4] = '7';
		}
		if (strcmp(edit, "torn") == 0 && i == n - 1) {
			fwrite(lines[i], 1, strlen(lines[i]) / 2, out);
			continue;
		}
		if (strcmp(edit, "cut") == 0 && i >= n - 2)
			continue;
		fputs(lines[i], out);
	}
	for (int i = 0; i < n; i++)
		free(lines[i]);
	fclose(out);
}

START_TEST(round_trip_and_damage)
{
	static const char *const edits[] = {"none", "flip", "drop3", "swap34", "torn", "cut"};
	static const enum audit_verdict want[] = {VERIFY_INTACT, VERIFY_BROKEN, VERIFY_BROKEN,
						   VERIFY_BROKEN, VERIFY_INCOMPLETE, VERIFY_INCOMPLETE};
	for (size_t e = 0; e < sizeof(edits) / sizeof(*edits); e++) {
		char head[CHAIN_HEX_LEN];
		write_log(NULL, 6, e % 2 ? AUDIT_SYNC_STRICT : AUDIT_SYNC_BATCH, head);
		rewrite(logpath, edits[e]);
		struct audit_verify_result res;
		ck_assert_msg(verify_file(logpath, NULL, NULL, &res) == want[e], "%s: %s", edits[e],
			      res.message);
		if (e == 0) {
			ck_assert_int_eq(res.records, 8);
			ck_assert_str_eq(res.head, head);
			ck_assert_int_eq(verify_file(logpath, NULL, head, &res), VERIFY_INTACT);
		}
		if (strcmp(edits[e], "cut") == 0)
			ck_assert_int_eq(verify_file(logpath, NULL, head, &res), VERIFY_BROKEN);
		unlink(logpath);
	}
}
END_TEST

START_TEST(keyed)
{
	struct chain_key key = {.len = 32}, wrong = {.len = 32};
	memset(key.bytes, 7, 32);
	memset(wrong.bytes, 8, 32);
	char head[CHAIN_HEX_LEN];
	write_log(&key, 3, AUDIT_SYNC_NONE, head);
	struct audit_verify_result res;
	ck_assert_int_eq(verify_file(logpath, &key, head, &res), VERIFY_INTACT);
	ck_assert_int_eq(verify_file(logpath, &wrong, NULL, &res), VERIFY_BROKEN);
	ck_assert_ptr_nonnull(strstr(res.message, "wrong key"));
	ck_assert_int_eq(verify_file(logpath, NULL, NULL, &res), VERIFY_BROKEN);
	unlink(logpath);
}
END_TEST

START_TEST(writer_refuses_existing_file)
{
	char path[] = "/tmp/spx-unit-exists-XXXXXX";
	int fd = mkstemp(path);
	close(fd);
	int err = 0;
	json_t *h = json_object();
	ck_assert_ptr_null(audit_writer_open(path, AUDIT_SYNC_NONE, NULL, h, &err));
	ck_assert_int_eq(err, -EEXIST);
	json_decref(h);
	unlink(path);
}
END_TEST

START_TEST(key_sizes)
{
	char path[] = "/tmp/spx-unit-key-XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_eq(write(fd, "short", 5), 5);
	struct chain_key key;
	ck_assert_int_eq(chain_key_load(path, &key), -EINVAL);
	char big[2000] = {0};
	ck_assert_int_eq(write(fd, big, sizeof(big)), (ssize_t)sizeof(big));
	ck_assert_int_eq(chain_key_load(path, &key), -EINVAL);
	ck_assert_int_eq(ftruncate(fd, 32), 0);
	ck_assert_int_eq(chain_key_load(path, &key), 0);
	ck_assert_uint_eq(key.len, 32);
	close(fd);
	unlink(path);
	ck_assert_int_eq(chain_key_load("/nonexistent/key", &key), -ENOENT);
}
END_TEST

Suite *audit_suite(void)
{
	Suite *s = suite_create("audit");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, chain_values);
	tcase_add_test(tc, paths_round_trip);
	tcase_add_test(tc, times);
	tcase_add_test(tc, round_trip_and_damage);
	tcase_add_test(tc, keyed);
	tcase_add_test(tc, writer_refuses_existing_file);
	tcase_add_test(tc, key_sizes);
	suite_add_tcase(s, tc);
	return s;
}
