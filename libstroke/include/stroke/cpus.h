// AvailableCpus: how many CPUs this process may keep busy, the default
// thread count of every "one per CPU" setting (BatchOptions::threads <= 0,
// the Python module's n_jobs=-1, stroke-predict's --threads, stroke-serve's
// workers). A container or a job scheduler rarely gives a process the whole
// machine: std::thread::hardware_concurrency() counts the host's CPUs, and
// that many busy threads under a 2-CPU quota are throttled in turn.
#ifndef STROKE_CPUS_H_
#define STROKE_CPUS_H_

#include "stroke/export.h"

namespace stroke {

// The CPUs this process may use: the CPUs of its affinity mask (taskset,
// numactl, a container's cpuset), or fewer when a cgroup CPU quota allows
// less time (cgroup v2 cpu.max of the process's cgroup and its ancestors, or
// cgroup v1 cpu.cfs_quota_us / cpu.cfs_period_us), the quota rounded up to
// whole CPUs (a quota of 1.5 CPUs gives 2), as Java's container support
// and joblib's cpu_count() read it. std::thread::hardware_concurrency()
// where the affinity mask cannot be read (not Linux). At least 1. Counted
// once per process, at the first call (the calling thread's mask then: a
// later taskset or sched_setaffinity does not change it); thread-safe.
STROKE_EXPORT int AvailableCpus();

}  // namespace stroke

#endif  // STROKE_CPUS_H_
