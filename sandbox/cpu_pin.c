#include "cpu_pin.h"

#include <errno.h>
#include <sched.h>

int cpu_pin_here(void)
{
	cpu_set_t allowed;
	if (sched_getaffinity(0, sizeof(allowed), &allowed) < 0)
		return -errno;
	int cpu = sched_getcpu();
	if (cpu < 0)
		return -errno;
	/* Raced with a migration off the allowed set: take the first one. */
	if (cpu >= CPU_SETSIZE || !CPU_ISSET(cpu, &allowed))
		for (cpu = 0; cpu < CPU_SETSIZE && !CPU_ISSET(cpu, &allowed); cpu++)
			;
	if (cpu >= CPU_SETSIZE)
		return -EINVAL;
	cpu_set_t one;
	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	if (sched_setaffinity(0, sizeof(one), &one) < 0)
		return -errno;
	return cpu;
}
