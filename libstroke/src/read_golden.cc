// Reads a bundle's "golden" section (docs/bundle-format.md): rows whose
// answers the training library computed at export time.
#include "load_limits.h"
#include "section_readers.h"

namespace stroke {

void ReadGolden(const JsonReader& golden, Task task, const LoadOptions& limits, std::vector<GoldenRow>* out) {
  if (!golden.failed() && golden.size() > limits.max_golden_rows) {
    golden.Fail(OverLimit("golden row count " + std::to_string(golden.size()), limits.max_golden_rows,
                          "max_golden_rows"));
  }
  for (size_t i = 0; i < golden.size() && !golden.failed(); ++i) {
    JsonReader row = golden.Element(i);
    GoldenRow g;
    JsonReader inputs = row.Object("inputs");
    if (row.failed()) return;
    StatusOr<Record> record = RecordFromJson(inputs.json());
    if (!record.ok()) {
      inputs.Fail(record.status().message());
      return;
    }
    g.inputs = std::move(*record);
    switch (task) {
      case Task::kRegression: g.value = row.Number("value"); break;
      case Task::kBinaryClassification:
        g.raw_margin = row.OptionalNumber("raw_margin", 0);
        g.probability = row.Number("probability");
        if (!row.failed() && !(g.probability >= 0 && g.probability <= 1)) {
          row.Member("probability").Fail("must be in [0, 1]");
        }
        break;
      case Task::kMulticlassClassification: g.probabilities = row.DoubleArray("probabilities"); break;
    }
    if (task != Task::kRegression) {
      g.prediction = static_cast<int>(row.Integer("prediction"));
      const int classes = task == Task::kBinaryClassification ? 2 : static_cast<int>(g.probabilities.size());
      if (!row.failed() && (g.prediction < 0 || g.prediction >= classes)) {
        row.Member("prediction").Fail(task == Task::kBinaryClassification ? "must be 0 or 1"
                                                                         : "must be a class index");
      }
    }
    out->push_back(std::move(g));
  }
}

}  // namespace stroke
