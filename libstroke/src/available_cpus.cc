#include "available_cpus.h"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "stroke/cpus.h"

#ifdef __linux__
#include <sched.h>
#endif

namespace stroke {
namespace internal {
namespace {

// A whole positive number, the text's first word, or 0.
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
  const long long cpus = quota / period + (quota % period != 0 ? 1 : 0);
  return static_cast<int>(std::clamp<long long>(cpus, 1, 1 << 20));
}

// The file's text, or "" when it cannot be read.
std::string ReadText(const std::string& path) {
  std::ifstream file(path);
  std::ostringstream text;
  text << file.rdbuf();
  return file ? text.str() : std::string();
}

std::vector<std::string_view> Split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  for (size_t at = 0;;) {
    const size_t end = text.find(separator, at);
    parts.push_back(text.substr(at, end == std::string_view::npos ? std::string_view::npos : end - at));
    if (end == std::string_view::npos) return parts;
    at = end + 1;
  }
}

bool Holds(std::string_view list, std::string_view item) {
  const std::vector<std::string_view> items = Split(list, ',');
  return std::find(items.begin(), items.end(), item) != items.end();
}

// A cgroup hierarchy's mount: the cgroup at its root, where it is mounted.
struct Mount {
  std::string root, point;
  bool v2 = false;
};

// The cgroup2 mounts and the v1 mounts holding the cpu controller.
std::vector<Mount> CpuMounts(std::string_view mountinfo) {
  std::vector<Mount> mounts;
  for (std::string_view line : Split(mountinfo, '\n')) {
    // "ID PARENT MAJ:MIN ROOT POINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPER_OPTIONS"
    const std::vector<std::string_view> f = Split(line, ' ');
    const auto dash = std::find(f.begin(), f.end(), "-");
    if (f.size() < 5 || dash == f.end() || f.end() - dash < 4) continue;
    const std::string_view type = dash[1], super_options = dash[3];
    if (type == "cgroup2" || (type == "cgroup" && Holds(super_options, "cpu"))) {
      mounts.push_back({std::string(f[3]), std::string(f[4]), type == "cgroup2"});
    }
  }
  return mounts;
}

// `path` below `root` ("" for the root itself), or "" when it is not below
// it or climbs ("..": a cgroup outside the namespace): then only the mount
// point's own files count.
std::string Below(const std::string& path, const std::string& root) {
  if (path.find("..") != std::string::npos) return "";
  if (root == "/") return path == "/" ? "" : path;
  if (path.compare(0, root.size(), root) == 0 && (path.size() == root.size() || path[root.size()] == '/')) {
    return path.substr(root.size());
  }
  return "";
}

// The CPUs the quota files in `dir` allow (0: no limit).
int QuotaIn(const std::string& dir, bool v2) {
  if (v2) return CpusOfCpuMax(ReadText(dir + "/cpu.max"));
  return CpusOfCfsQuota(ReadText(dir + "/cpu.cfs_quota_us"), ReadText(dir + "/cpu.cfs_period_us"));
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

int CgroupCpus(std::string_view proc_cgroup, std::string_view mountinfo) {
  const std::vector<Mount> mounts = CpuMounts(mountinfo);
  int least = 0;
  for (std::string_view line : Split(proc_cgroup, '\n')) {
    // "hierarchy-ID:controller-list:cgroup-path" (man 7 cgroups); the path may hold ':'
    const size_t first = line.find(':'), second = line.find(':', first + 1);
    if (first == std::string_view::npos || second == std::string_view::npos) continue;
    const bool v2 = line.substr(0, first) == "0" && second == first + 1;
    if (!v2 && !Holds(line.substr(first + 1, second - first - 1), "cpu")) continue;
    const std::string path(line.substr(second + 1));
    for (const Mount& mount : mounts) {
      if (mount.v2 != v2) continue;
      for (std::string below = Below(path, mount.root);; below.erase(below.find_last_of('/'))) {
        if (const int cpus = QuotaIn(mount.point + below, v2); cpus > 0) least = least == 0 ? cpus : std::min(least, cpus);
        if (below.empty()) break;
      }
    }
  }
  return least;
}

int CountAvailableCpus() {
  int cpus = AffinityCpus();
  const int quota = CgroupCpus(ReadText("/proc/self/cgroup"), ReadText("/proc/self/mountinfo"));
  if (quota > 0 && (cpus <= 0 || quota < cpus)) cpus = quota;
  return std::max(cpus, 1);
}

}  // namespace internal

int AvailableCpus() {
  static const int cpus = internal::CountAvailableCpus();
  return cpus;
}

}  // namespace stroke
