// What the standard-protocol layers (oip_v2.h, kserve_v1.h, mlflow_scoring.h)
// take and return. Each layer is a set of pure functions of (model, names,
// body, options) -> ProtocolReply: no socket, no server state, no logging.
// The wiring (routes, a model repository, metrics, auth) is the caller's.
//
//   ProtocolOptions options;
//   options.check.refuse_unknown_categories = settings.refuse_unknown_categories;
//   options.max_rows = settings.max_batch_rows;
//   ProtocolReply answer = OipInfer(model, "stroke", "1", body, options);
//   (the server counts answer.predicted under the version that answered)
//   return answer.reply;
#ifndef STROKE_APPS_SERVE_PROTOCOL_REPLY_H_
#define STROKE_APPS_SERVE_PROTOCOL_REPLY_H_

#include <cstddef>
#include <functional>
#include <vector>

#include "routes.h"
#include "stroke/schema.h"
#include "stroke/scoring.h"

namespace stroke::apps {

// A protocol's answer: the HTTP reply, and how many records it predicted.
struct ProtocolReply {
  Reply reply;
  size_t predicted = 0;  // records answered (for stroke_predictions_total); 0 for every error
};

// What every protocol request is checked against.
struct ProtocolOptions {
  CheckOptions check;     // how strictly records are checked (e.g. --refuse-unknown-categories)
  size_t max_rows = 1000; // records in one request (--max-batch-rows); more: 413, nothing scored
  // Called once a request's records are all answered, before its reply is
  // built: the server writes the audit log's lines from it. May be empty.
  std::function<void(const std::vector<InputRow>& rows, const BatchScore& scored)> answered;
};

}  // namespace stroke::apps

#endif  // STROKE_APPS_SERVE_PROTOCOL_REPLY_H_
