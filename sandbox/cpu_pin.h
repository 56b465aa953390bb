/* A job's request to spxfs is a hand-off between two threads: the job
 * blocks in the kernel, a file-server thread wakes, answers, and wakes the
 * job again. On a VM a wake-up on another CPU costs far more than the work
 * (a create: ~350 us across CPUs, ~55 us on one, with passthrough_hp), and
 * the scheduler puts the server on an idle CPU. spxbox starts both sides,
 * so it can put them on one CPU: a one-process job then runs its
 * requests back to back. A job that runs processes side by side
 * (--allow-fork) would lose its parallelism, so it is not pinned unless
 * asked (`--cpu same`). */
#ifndef SPX_BOX_CPU_PIN_H
#define SPX_BOX_CPU_PIN_H

/* Binds the calling thread, and so every thread and process it starts
 * afterwards, to the CPU it runs on now. The CPU's number, or -errno. */
int cpu_pin_here(void);

#endif
