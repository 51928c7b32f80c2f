#include "available_cpus.h"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "stroke/cpus.h"

#ifdef __linux__
#include <sched.h>
#endif

namespace stroke {
namespace internal {
namespace {

// A whole positive number of microseconds, the text's first word, or 0.
long long Micros(std::string_view text) {
  const size_t begin = text.find_first_not_of(" \t");
  if (begin == std::string_view::npos) return 0;
  text.remove_prefix(begin);
  long long value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || value <= 0) return 0;
  const bool word_ends = end == text.data() + text.size() || *end == ' ' || *end == '\t' || *end == '\n';
  return word_ends ? value : 0;
}

int WholeCpus(long long quota, long long period) {
  if (quota <= 0 || period <= 0) return 0;
  const long long cpus = (quota + period - 1) / period;
  return static_cast<int>(std::clamp<long long>(cpus, 1, 1 << 20));
}

// The file's text, or "" when it cannot be read.
std::string ReadText(const std::string& path) {
  std::ifstream file(path);
  std::ostringstream text;
  text << file.rdbuf();
  return file ? text.str() : std::string();
}

// The least positive `limit(dir)` over `base` + `cgroup` and its ancestors up
// to `base` itself (a limit anywhere above a process binds it too); 0: none.
template <typename Limit>
int LeastLimitUpFrom(const std::string& base, std::string cgroup, Limit limit) {
  int least = 0;
  for (;;) {
    const int here = limit(base + cgroup);
    if (here > 0) least = least == 0 ? here : std::min(least, here);
    const size_t slash = cgroup.find_last_of('/');
    if (cgroup.empty() || slash == std::string::npos) return least;
    cgroup.erase(slash);
  }
}

// The least CPU quota of this process's cgroups, v2 or v1; 0: none found.
int CgroupCpus() {
  std::istringstream lines(ReadText("/proc/self/cgroup"));
  int least = 0;
  auto keep = [&](int cpus) {
    if (cpus > 0) least = least == 0 ? cpus : std::min(least, cpus);
  };
  for (std::string line; std::getline(lines, line);) {
    // "hierarchy-ID:controller-list:cgroup-path" (man 7 cgroups)
    const size_t first = line.find(':'), second = line.find(':', first + 1);
    if (first == std::string::npos || second == std::string::npos) continue;
    const std::string controllers = line.substr(first + 1, second - first - 1);
    std::string path = line.substr(second + 1);
    if (path == "/") path.clear();
    if (line.compare(0, first, "0") == 0 && controllers.empty()) {
      keep(LeastLimitUpFrom("/sys/fs/cgroup", path,
                            [](const std::string& dir) { return CpusOfCpuMax(ReadText(dir + "/cpu.max")); }));
    } else if (("," + controllers + ",").find(",cpu,") != std::string::npos) {
      for (const char* mount : {"/sys/fs/cgroup/cpu", "/sys/fs/cgroup/cpu,cpuacct"}) {
        keep(LeastLimitUpFrom(mount, path, [](const std::string& dir) {
          return CpusOfCfsQuota(ReadText(dir + "/cpu.cfs_quota_us"), ReadText(dir + "/cpu.cfs_period_us"));
        }));
      }
    }
  }
  return least;
}

int AffinityCpus() {
#ifdef __linux__
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) == 0) return CPU_COUNT(&set);
#endif
  return static_cast<int>(std::thread::hardware_concurrency());
}

}  // namespace

int CpusOfCpuMax(std::string_view cpu_max) {
  const size_t space = cpu_max.find(' ');
  if (space == std::string_view::npos) return 0;
  return WholeCpus(Micros(cpu_max.substr(0, space)), Micros(cpu_max.substr(space + 1)));
}

int CpusOfCfsQuota(std::string_view quota_us, std::string_view period_us) {
  return WholeCpus(Micros(quota_us), Micros(period_us));
}

int CountAvailableCpus() {
  int cpus = AffinityCpus();
  if (const int quota = CgroupCpus(); quota > 0 && (cpus <= 0 || quota < cpus)) cpus = quota;
  return std::max(cpus, 1);
}

}  // namespace internal

int AvailableCpus() {
  static const int cpus = internal::CountAvailableCpus();
  return cpus;
}

}  // namespace stroke
