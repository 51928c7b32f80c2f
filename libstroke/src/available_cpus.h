// Internal: the parts of AvailableCpus (stroke/cpus.h), so tests can give
// them the texts a cgroup file holds and count again after changing the
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

// AvailableCpus without its cache: the calling thread's affinity mask and
// the cgroup files, read now.
int CountAvailableCpus();

}  // namespace stroke::internal

#endif  // STROKE_SRC_AVAILABLE_CPUS_H_
