// Instruction counts for when wall-clock time is too noisy: runs one hot path
// N times so that `valgrind --tool=callgrind` totals of two runs (N and 2N)
// differ by exactly N calls; bench/run_all.sh divides the difference by N.
//
//   instructions --data=DIR (one_row|batch|json) N
#include <span>

#include "bench_data.h"

int main(int argc, char** argv) {
  const std::string dir = bench::TakeDataDir(&argc, argv);
  if (argc != 3) bench::Fail("usage: instructions [--data=DIR] (one_row|batch|json) N");
  const std::string what = argv[1];
  const long calls = std::atol(argv[2]);
  bench::BenchData data(dir);
  bench::BenchModel& m = data.models()[0];  // the stroke model
  const stroke::Model& model = bench::BenchData::Load(m);
  const std::vector<double> rows = data.Rows(m);
  const std::vector<std::string> bodies = data.Bodies(m);
  const size_t width = model.num_features(), n = rows.size() / width;
  std::vector<stroke::Prediction> out(256);
  double sink = 0;
  for (long i = 0; i < calls; ++i) {
    const size_t r = static_cast<size_t>(i) % n;
    if (what == "one_row") {
      sink += model.PredictFeatures(std::span<const double>(rows).subspan(r * width, width)).probability;
    } else if (what == "batch") {  // one call = 256 rows; report per row
      model.PredictFeaturesBatch(std::span<const double>(rows).subspan(0, 256 * width), out);
      sink += out[r % 256].probability;
    } else if (what == "json") {
      sink += model.Predict(*stroke::ParseRecordJson(bodies[static_cast<size_t>(i) % bodies.size()]))->probability;
    } else {
      bench::Fail("unknown path " + what);
    }
  }
  std::printf("%s x %ld: %g\n", what.c_str(), calls, sink);
  return 0;
}
