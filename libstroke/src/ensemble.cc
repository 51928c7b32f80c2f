// stroke::Ensemble: a handle on an immutable internal::EnsembleEngine. Each
// call costs one indirection; the loops over rows, trees and nodes are the
// engine's (ensemble_engine.cc, complete_trees.cc, ensemble_shap.cc).
#include "stroke/ensemble.h"

#include <algorithm>
#include <limits>
#include <utility>

#include "ensemble_engine.h"

namespace stroke {
namespace {

const std::shared_ptr<const internal::EnsembleEngine>& EmptyEngine() {
  static const auto* empty =
      new std::shared_ptr<const internal::EnsembleEngine>(std::make_shared<const internal::EnsembleEngine>());
  return *empty;
}

}  // namespace

ShapScratch::ShapScratch() = default;
ShapScratch::~ShapScratch() = default;
ShapScratch::ShapScratch(ShapScratch&&) noexcept = default;
ShapScratch& ShapScratch::operator=(ShapScratch&&) noexcept = default;

ShapScratch::ShapScratch(const Ensemble& ensemble) {
  try {
    auto buffers = std::make_unique<internal::ShapBuffers>();
    if (ensemble.engine_->SizeShapBuffers(buffers.get())) buffers_ = std::move(buffers);
  } catch (const std::exception&) {  // too much to allocate: ok() is false
  }
}

Ensemble::Ensemble() : engine_(EmptyEngine()) {}

Ensemble::Ensemble(std::shared_ptr<const internal::EnsembleEngine> engine) : engine_(std::move(engine)) {}

StatusOr<Ensemble> Ensemble::Create(EnsembleSpec spec, const LoadOptions& limits) {
  StatusOr<internal::EnsembleEngine> engine = internal::EnsembleEngine::Create(std::move(spec), limits);
  if (!engine.ok()) return engine.status();
  return Ensemble(std::make_shared<const internal::EnsembleEngine>(std::move(*engine)));
}

const EnsembleSpec& Ensemble::spec() const { return engine_->spec(); }
int Ensemble::num_features() const { return engine_->spec().num_features; }
int Ensemble::num_outputs() const { return engine_->spec().num_outputs; }
size_t Ensemble::num_trees() const { return engine_->spec().trees.size(); }
int Ensemble::max_depth() const { return engine_->max_depth(); }
std::string Ensemble::layout() const { return engine_->layout(); }
double Ensemble::ExpectedValue(int output) const { return engine_->ExpectedValue(output); }

void Ensemble::PredictRaw(Span<const double> features, Span<double> raw) const {
  engine_->PredictRawBatch(features.data(), 1, raw.data());
}

void Ensemble::PredictRawBatch(Span<const double> rows, size_t n, Span<double> raw) const {
  engine_->PredictRawBatch(rows.data(), n, raw.data());
}

void Ensemble::Link(Span<const double> raw, Span<double> out) const { engine_->Link(raw.data(), out.data()); }

void Ensemble::LinkBatch(Span<const double> raw, size_t n, Span<double> out) const {
  const internal::EnsembleEngine& engine = *engine_;
  const auto k = static_cast<size_t>(engine.spec().num_outputs);
  for (size_t r = 0; r < n; ++r) engine.Link(raw.data() + r * k, out.data() + r * k);
}

void Ensemble::Shap(Span<const double> row, int output, Span<double> phi, ShapScratch& scratch) const {
  internal::ShapBuffers none;  // a scratch that is not ok(): phi is NaN
  engine_->Shap(row.data(), output, phi.data(), scratch.buffers_ ? *scratch.buffers_ : none);
}

}  // namespace stroke
