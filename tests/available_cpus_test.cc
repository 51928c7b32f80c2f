// AvailableCpus (stroke/cpus.h): the affinity mask and the cgroup CPU quota
// bound the CPUs a process counts, and a quota is read as cgroup v2's
// cpu.max and v1's cfs files write it (Documentation/admin-guide/cgroup-v2.rst,
// "cpu.max"; scheduler/sched-bwc.rst), where /proc/self/mountinfo says each
// hierarchy is mounted (man 5 proc).
#include <gtest/gtest.h>
#include <sched.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "available_cpus.h"
#include "stroke/cpus.h"

namespace stroke::internal {
namespace {

TEST(AvailableCpus, ReadsCgroupV2CpuMax) {
  EXPECT_EQ(CpusOfCpuMax("max 100000\n"), 0);  // no limit
  EXPECT_EQ(CpusOfCpuMax("200000 100000\n"), 2);
  EXPECT_EQ(CpusOfCpuMax("150000 100000\n"), 2);  // 1.5 CPUs: two threads keep the quota busy
  EXPECT_EQ(CpusOfCpuMax("50000 100000"), 1);     // half a CPU: still one thread
  EXPECT_EQ(CpusOfCpuMax("100000 100000"), 1);
  EXPECT_EQ(CpusOfCpuMax("1600000 100000\n"), 16);
}

TEST(AvailableCpus, IgnoresTextThatIsNotAQuota) {
  for (const char* text : {"", "\n", "max", "100000", "abc 100000", "100000 0", "100000 -5", "-1 100000",
                           "1.5 100000", "100000 1e5", "100000x 100000"}) {
    EXPECT_EQ(CpusOfCpuMax(text), 0) << '"' << text << '"';
  }
}

TEST(AvailableCpus, ReadsCgroupV1CfsFiles) {
  EXPECT_EQ(CpusOfCfsQuota("-1\n", "100000\n"), 0);  // no limit
  EXPECT_EQ(CpusOfCfsQuota("300000\n", "100000\n"), 3);
  EXPECT_EQ(CpusOfCfsQuota("250000\n", "100000\n"), 3);
  EXPECT_EQ(CpusOfCfsQuota("", ""), 0);  // files that could not be read
  EXPECT_EQ(CpusOfCfsQuota("300000\n", ""), 0);
}

// A directory tree of cgroup files under a fresh temporary directory.
class CgroupFiles {
 public:
  CgroupFiles() : root_(std::filesystem::temp_directory_path() / ("cgroups-" + std::to_string(::getpid()))) {
    std::filesystem::remove_all(root_);
  }
  ~CgroupFiles() { std::filesystem::remove_all(root_); }
  // Writes `text` to root/path, making its directories.
  void Write(const std::string& path, const std::string& text) const {
    const std::filesystem::path file = root_ / path;
    std::filesystem::create_directories(file.parent_path());
    std::ofstream(file) << text;
  }
  std::string Dir(const std::string& path) const { return (root_ / path).string(); }
  // One /proc/self/mountinfo line: `root` of the hierarchy mounted at Dir(point).
  std::string Mount(const std::string& root, const std::string& point, const std::string& type,
                    const std::string& super_options) const {
    return "32 31 0:29 " + root + " " + Dir(point) + " rw,relatime shared:9 - " + type + " " + type + " " +
           super_options + "\n";
  }

 private:
  std::filesystem::path root_;
};

TEST(AvailableCpus, ReadsTheQuotaOfACgroupNamespacesRoot) {
  CgroupFiles files;  // a container with its own cgroup namespace: it sees itself as "/"
  files.Write("ns/cpu.max", "150000 100000\n");
  EXPECT_EQ(CgroupCpus("0::/\n", files.Mount("/", "ns", "cgroup2", "rw,nsdelegate")), 2);
}

TEST(AvailableCpus, TakesTheLeastQuotaFromTheCgroupUpToTheMountsRoot) {
  CgroupFiles files;
  files.Write("v2/a/cpu.max", "300000 100000\n");
  files.Write("v2/a/b/cpu.max", "max 100000\n");
  files.Write("v2/a/b/c/cpu.max", "max 100000\n");
  const std::string mounts = files.Mount("/", "v2", "cgroup2", "rw");
  EXPECT_EQ(CgroupCpus("0::/a/b/c\n", mounts), 3);  // the limit of an ancestor binds
  files.Write("v2/cpu.max", "100000 100000\n");
  EXPECT_EQ(CgroupCpus("0::/a/b/c\n", mounts), 1);  // the least of them
  EXPECT_EQ(CgroupCpus("0::/../x\n", mounts), 1);   // outside the namespace: the mount's own files only
  EXPECT_EQ(CgroupCpus("0::/a/b/c\n", ""), 0);      // no cgroup2 mount: nothing to read
}

TEST(AvailableCpus, ReadsCgroupV1WhereTheHostPathIsTheMountsRoot) {
  CgroupFiles files;  // Docker on cgroup v1 without a namespace: the mount's root is the host path
  files.Write("cpu/cpu.cfs_quota_us", "200000\n");
  files.Write("cpu/cpu.cfs_period_us", "100000\n");
  const std::string proc_cgroup = "5:memory:/docker/abc\n4:cpu,cpuacct:/docker/abc\n0::/\n";
  EXPECT_EQ(CgroupCpus(proc_cgroup, files.Mount("/docker/abc", "cpu", "cgroup", "rw,cpu,cpuacct")), 2);
  // Only a hierarchy holding "cpu" counts; "cpuacct" alone or "cpuset" does not.
  EXPECT_EQ(CgroupCpus("4:cpuacct:/docker/abc\n", files.Mount("/docker/abc", "cpu", "cgroup", "rw,cpuacct")), 0);
  EXPECT_EQ(CgroupCpus("3:cpuset:/docker/abc\n", files.Mount("/docker/abc", "cpu", "cgroup", "rw,cpuset")), 0);
}

TEST(AvailableCpus, AHybridHostReadsBothHierarchies) {
  CgroupFiles files;  // v1 controllers and the v2 tree at /sys/fs/cgroup/unified, as on this project's CI machine
  files.Write("cpu/job/cpu.cfs_quota_us", "-1\n");
  files.Write("cpu/job/cpu.cfs_period_us", "100000\n");
  files.Write("unified/job/cpu.max", "250000 100000\n");
  const std::string mounts = files.Mount("/", "cpu", "cgroup", "rw,cpu") + files.Mount("/", "unified", "cgroup2", "rw");
  EXPECT_EQ(CgroupCpus("1:cpu:/job\n0::/job\n", mounts), 3);
  EXPECT_EQ(CgroupCpus("1:cpu:/job\n0::/other\n", mounts), 0);  // no limit where it runs
  EXPECT_EQ(CgroupCpus("garbage\n::\n\n", mounts), 0);
}

// Runs count() with the calling thread on the first CPU of its mask alone,
// as `taskset -c N` starts a process, and restores the mask.
template <typename Count>
int CountPinnedToOneCpu(Count count) {
  cpu_set_t all;
  EXPECT_EQ(sched_getaffinity(0, sizeof(all), &all), 0);
  int first = 0;
  while (!CPU_ISSET(first, &all)) ++first;
  cpu_set_t one;
  CPU_ZERO(&one);
  CPU_SET(first, &one);
  EXPECT_EQ(sched_setaffinity(0, sizeof(one), &one), 0);
  const int counted = count();
  EXPECT_EQ(sched_setaffinity(0, sizeof(all), &all), 0);
  return counted;
}

TEST(AvailableCpus, CountsOnlyTheCpusOfTheAffinityMask) {
  cpu_set_t all;
  ASSERT_EQ(sched_getaffinity(0, sizeof(all), &all), 0);
  const int before = CountAvailableCpus();
  EXPECT_GE(before, 1);
  EXPECT_LE(before, CPU_COUNT(&all));
  EXPECT_EQ(CountPinnedToOneCpu(CountAvailableCpus), 1);
  EXPECT_EQ(CountAvailableCpus(), before);
}

TEST(AvailableCpus, IsCountedOnceForTheProcess) {
  const int first = AvailableCpus();
  EXPECT_GE(first, 1);
  if (std::thread::hardware_concurrency() > 0) {
    EXPECT_LE(first, static_cast<int>(std::thread::hardware_concurrency()));
  }
  // The count of the first call, not this thread's mask now.
  EXPECT_EQ(CountPinnedToOneCpu(AvailableCpus), first);
}

}  // namespace
}  // namespace stroke::internal
