// AvailableCpus (stroke/cpus.h): the affinity mask and the cgroup CPU quota
// bound the CPUs a process counts, and a quota is read as cgroup v2's
// cpu.max and v1's cfs files write it (Documentation/admin-guide/cgroup-v2.rst,
// "cpu.max"; scheduler/sched-bwc.rst).
#include <gtest/gtest.h>
#include <sched.h>

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

TEST(AvailableCpus, CountsOnlyTheCpusOfTheAffinityMask) {
  cpu_set_t all;
  ASSERT_EQ(sched_getaffinity(0, sizeof(all), &all), 0);
  const int before = CountAvailableCpus();
  EXPECT_GE(before, 1);
  EXPECT_LE(before, CPU_COUNT(&all));
  // This thread on its first CPU alone, as `taskset -c N` starts a process.
  int first = 0;
  while (!CPU_ISSET(first, &all)) ++first;
  cpu_set_t one;
  CPU_ZERO(&one);
  CPU_SET(first, &one);
  ASSERT_EQ(sched_setaffinity(0, sizeof(one), &one), 0);
  const int pinned = CountAvailableCpus();
  ASSERT_EQ(sched_setaffinity(0, sizeof(all), &all), 0);
  EXPECT_EQ(pinned, 1);
  EXPECT_EQ(CountAvailableCpus(), before);
}

TEST(AvailableCpus, IsAtLeastOneAndNoMoreThanTheMachineHas) {
  EXPECT_GE(AvailableCpus(), 1);
  if (std::thread::hardware_concurrency() > 0) {
    EXPECT_LE(AvailableCpus(), static_cast<int>(std::thread::hardware_concurrency()));
  }
  EXPECT_EQ(AvailableCpus(), AvailableCpus());  // read once
}

}  // namespace
}  // namespace stroke::internal
