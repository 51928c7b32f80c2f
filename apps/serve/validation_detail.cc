#include "validation_detail.h"

#include <fmt/format.h>

namespace stroke::apps {
namespace {

// Issue kinds as pydantic v1 type names, which FastAPI clients see in "type":
// the one mapping of the HTTP API.
std::string PydanticType(IssueKind kind) {
  switch (kind) {
    case IssueKind::kMissing: return "value_error.missing";
    case IssueKind::kUnknownField: return "value_error.extra";
    case IssueKind::kCategory: return "type_error.enum";
    case IssueKind::kType: return "type_error";
    case IssueKind::kParse: return "value_error.jsondecode";
    default: return std::string("value_error.") + IssueKindName(kind);
  }
}

}  // namespace

Json DetailEntry(Json loc, const std::string& message, IssueKind kind) {
  return {{"loc", std::move(loc)}, {"msg", message}, {"type", PydanticType(kind)}};
}

Json Truncated(const Json& detail, size_t limit) {
  if (detail.size() <= limit) return detail;
  Json kept = Json::array();
  for (size_t i = 0; i < limit; ++i) kept.push_back(detail[i]);
  kept.push_back(DetailEntry({"body"}, fmt::format("... and {} more errors", detail.size() - limit),
                             IssueKind::kTruncated));
  return kept;
}

}  // namespace stroke::apps
