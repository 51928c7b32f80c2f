// StrokeServer's retraining routes (training_jobs.h): admins upload a
// labelled CSV for a model, then follow the job.
#include "request_context.h"
#include "server.h"

namespace stroke::apps {
namespace {

Json JobJson(const TrainingJob& job) {
  Json out = {{"id", job.id}, {"model", job.model}, {"state", job.state}, {"submitted_at", job.submitted_at}};
  if (!job.finished_at.empty()) out["finished_at"] = job.finished_at;
  if (!job.reason.empty()) out["reason"] = job.reason;
  if (job.version > 0) out["version"] = job.version;
  if (!job.metrics.empty()) {
    Json metrics = Json::object();
    for (const auto& [name, value] : job.metrics) metrics[name] = value;
    out["metrics"] = metrics;
  }
  if (!job.promote.empty()) out["promote"] = job.promote;
  if (!job.promotion.empty()) out["promotion"] = job.promotion;
  return out;
}

// A refused submission: 404 no such model, 501 this server does not train,
// 422 this model or upload cannot be trained, 503 + Retry-After when busy.
Reply RefusalReply(TrainingJobs::Refusal refusal, const std::string& message, const std::string& request_id) {
  switch (refusal) {
    case TrainingJobs::Refusal::kUnknownModel: return ErrorReply(404, message, request_id);
    case TrainingJobs::Refusal::kNotConfigured: return ErrorReply(501, message, request_id);
    case TrainingJobs::Refusal::kNotTrainable: return ErrorReply(422, message, request_id);
    case TrainingJobs::Refusal::kBusy: {
      Reply reply = ErrorReply(503, message, request_id);
      reply.headers.emplace_back("Retry-After", "60");
      return reply;
    }
  }
  return ErrorReply(500, message, request_id);
}

}  // namespace

void StrokeServer::AddTrainingRoutes() {
  Add("POST", R"(/models/([^/]+)/train)", "/models/{model}/train", Access::kAdmin,
      [this](const httplib::Request& req, const RequestInfo& who) {
        TrainingJobs::Refusal refusal{};
        const StatusOr<std::string> id =
            training_->Submit(t_request.params[0], req.body, req.get_param_value("promote"), &refusal);
        if (!id.ok()) return RefusalReply(refusal, id.status().message(), who.id);
        events_.Add("INFO", "training job queued", {{"job", *id}, {"model", t_request.params[0]}, {"user", who.user}});
        Reply reply = JsonReply(202, JobJson(*training_->Get(*id)));
        reply.headers.emplace_back("Location", "/jobs/" + *id);
        return reply;
      });
  Add("GET", "/jobs", "/jobs", Access::kAdmin, [this](const httplib::Request&, const RequestInfo&) {
    Json jobs = Json::array();
    for (const TrainingJob& job : training_->List()) jobs.push_back(JobJson(job));
    return JsonReply(200, {{"jobs", jobs}});
  });
  Add("GET", R"(/jobs/([^/]+))", "/jobs/{id}", Access::kAdmin, [this](const httplib::Request&, const RequestInfo& who) {
    const std::optional<TrainingJob> job = training_->Get(t_request.params[0]);
    if (!job) return ErrorReply(404, "no job \"" + ToValidUtf8(t_request.params[0]) + "\" (GET /jobs lists them)", who.id);
    return JsonReply(200, JobJson(*job));
  });
}

}  // namespace stroke::apps
