#include "predict_command.h"

#include <fmt/format.h>

#include <memory>

#include "answer_output.h"
#include "model_json.h"
#include "model_path.h"
#include "predict_stream.h"
#include "stroke/explain.h"
#include "stroke/model.h"

namespace stroke::apps {
namespace {

int Fail(std::ostream& err, const std::string& message) {
  err << "stroke-predict: " << message << '\n';
  return kExitUsage;
}

}  // namespace

int RunCommand(const CliOptions& options, ByteSource& stdin_source, std::ostream& out, std::ostream& err) {
  std::string lookup_error;
  const std::string path = ResolveModelPath(options.model, &lookup_error);
  if (path.empty()) return Fail(err, lookup_error);
  StatusOr<Model> model = Model::Load(path, options.load);
  if (!model.ok()) return Fail(err, model.status().ToString());

  if (options.info) {
    if (options.output_format == OutputFormat::kJson) {
      Json info = ModelInfoJson(*model);
      info["path"] = path;
      out << JsonText(info, 2) << '\n';
    } else {
      out << "bundle      " << path << '\n';
      WriteModelInfoText(*model, out);
    }
    return kExitOk;
  }

  for (const std::string& name : AnswerFieldNames(*model)) {
    if (name == options.id_column) {
      return Fail(err, "--id-column \"" + name + "\": the answers have a field of that name (rename the column)");
    }
  }
  if (options.explain && !ExplainScratch(*model).ok()) {
    return Fail(err, "--explain: cannot allocate the TreeSHAP scratch memory for this model");
  }
  std::unique_ptr<ByteSource> opened;
  if (options.input != "-") {
    StatusOr<std::unique_ptr<ByteSource>> file = FileSource(options.input);
    if (!file.ok()) return Fail(err, file.status().message());
    opened = std::move(*file);
  }
  return PredictStream(*model, options, opened ? *opened : stdin_source, out, err);
}

int RunCommand(const CliOptions& options, std::istream& in, std::ostream& out, std::ostream& err) {
  std::unique_ptr<ByteSource> stdin_source = StreamSource(in);
  return RunCommand(options, *stdin_source, out, err);
}

}  // namespace stroke::apps
