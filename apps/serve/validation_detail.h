// The "detail" of stroke-serve's 422 answers, as FastAPI (pydantic v1) writes
// it: [{"loc": [...], "msg": "...", "type": "..."}]. Shared by every route
// that validates what a client sent.
#ifndef STROKE_APPS_SERVE_VALIDATION_DETAIL_H_
#define STROKE_APPS_SERVE_VALIDATION_DETAIL_H_

#include <string>

#include "model_json.h"
#include "stroke/schema.h"

namespace stroke::apps {

// Detail entries in a 422 answer, and in its /logs entry, at most.
inline constexpr size_t kAnsweredDetail = 1000;
inline constexpr size_t kLoggedDetail = 10;

// {"loc": loc, "msg": message, "type": the pydantic type name of `kind`}.
Json DetailEntry(Json loc, const std::string& message, IssueKind kind);

// The first `limit` entries of `detail`, and one more saying how many were left out.
Json Truncated(const Json& detail, size_t limit);

}  // namespace stroke::apps

#endif  // STROKE_APPS_SERVE_VALIDATION_DETAIL_H_
