// Internal: the parts of AvailableCpus (stroke/cpus.h), so tests can give
// them the texts the kernel's files hold and count again after changing the
// calling thread's affinity.
#ifndef STROKE_SRC_AVAILABLE_CPUS_H_
#define STROKE_SRC_AVAILABLE_CPUS_H_

#include <string_view>

namespace stroke::internal {

// The whole CPUs a cgroup v2 cpu.max text allows ("QUOTA PERIOD", both in
// microseconds, the quota rounded up to a whole CPU: "150000 100000" -> 2);
// 0 for no limit ("max 100000") or text that is not of that form.
int CpusOfCpuMax(std::string_view cpu_max);

// The same for cgroup v1's two files: cpu.cfs_quota_us ("-1": no limit) and
// cpu.cfs_period_us.
int CpusOfCfsQuota(std::string_view quota_us, std::string_view period_us);

// The least CPU quota of a process's cgroups, 0 when none limits it.
// `proc_cgroup` is its /proc/PID/cgroup ("ID:controllers:path" lines; "0::"
// for cgroup v2), `mountinfo` its /proc/PID/mountinfo (man 5 proc), which
// tells where each hierarchy is mounted and which cgroup is the mount's root
// (a container without its own cgroup namespace sees its host path there).
// The quota files are read under those mount points, from the process's
// cgroup up to the mount's root: a limit on any ancestor binds it too.
int CgroupCpus(std::string_view proc_cgroup, std::string_view mountinfo);

// AvailableCpus without its cache: the calling thread's affinity mask and
// the cgroup files, read now.
int CountAvailableCpus();

}  // namespace stroke::internal

#endif  // STROKE_SRC_AVAILABLE_CPUS_H_
