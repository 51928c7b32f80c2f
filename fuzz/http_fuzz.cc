// http_fuzz: raw bytes as they arrive on a stroke-serve connection, through
// the whole server path without a socket (StrokeServer::AnswerBytes): framing
// limits, httplib's parser, routing, auth checks, the handlers, compression.
// Every answer must be a complete HTTP response with a status below 500 and,
// when it says JSON and is not compressed, a body that parses (so valid UTF-8).
#include <algorithm>
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "request_framing.h"
#include "serve_fuzz_util.h"
#include "server.h"

namespace stroke::fuzz {
namespace {

apps::StrokeServer& TheServer() {
  static const Model& model = ShippedModel("stroke");  // held here: the server keeps a copy of the handle
  static apps::StrokeServer* server = [] {
    apps::ServeOptions options;
    options.quiet = true;
    options.max_body_bytes = 64 * 1024;
    options.max_batch_rows = 50;
    options.max_failed_logins = 0;
    auto created = apps::StrokeServer::Create(options, model);
    if (!created.ok()) Fail("cannot create the server: " + created.status().ToString());
    return created->release();
  }();
  return *server;
}

std::string HeaderValue(std::string_view head, std::string_view name) {
  for (size_t line = head.find("\r\n"); line != std::string_view::npos;) {
    const size_t next = head.find("\r\n", line + 2);
    std::string_view field = head.substr(line + 2, next == std::string_view::npos ? std::string_view::npos : next - line - 2);
    if (field.size() > name.size() && field[name.size()] == ':' &&
        std::equal(name.begin(), name.end(), field.begin(), [](char a, char b) { return std::tolower(a) == std::tolower(b); })) {
      std::string_view value = field.substr(name.size() + 1);
      while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
      return std::string(value);
    }
    line = next;
  }
  return "";
}

// The methods of the complete requests at the start of `input`, in order
// (an answer to HEAD has a Content-Length but no body). A method ends at the
// first space or line end, as httplib reads it: a request line of "HEAD"
// alone is refused (400) but still answered as to HEAD, without a body.
std::vector<std::string> Methods(std::string_view input) {
  std::vector<std::string> methods;
  for (;;) {
    input.remove_prefix(apps::LeadingBlankBytes(input));
    const apps::Framing f = apps::FrameRequest(input, apps::FramingLimits{});
    if (f.state != apps::Framing::State::kComplete) return methods;
    methods.emplace_back(input.substr(0, input.find_first_of(" \r\n")));
    input.remove_prefix(f.total());
  }
}

// Checks each response in `answers` (concatenated, as on the wire) to the
// requests whose methods are `methods`.
void CheckAnswers(std::string_view answers, const std::vector<std::string>& methods) {
  for (size_t i = 0; !answers.empty(); ++i) {
    Check(answers.substr(0, 9) == "HTTP/1.1 ", "an answer that does not start with a status line");
    const size_t head_end = answers.find("\r\n\r\n");
    Check(head_end != std::string_view::npos, "an answer without the end of its headers");
    const std::string_view head = answers.substr(0, head_end);
    const int status = std::atoi(std::string(answers.substr(9, 3)).c_str());
    if (status < 100 || status >= 500) Fail("status " + std::to_string(status) + ": " + std::string(answers.substr(0, 2000)));
    const std::string length = HeaderValue(head, "Content-Length");
    // An answer to HEAD has no body - unless the request was not parsed as HEAD at all.
    const std::string_view after = answers.substr(head_end + 4);
    const bool head_request = i < methods.size() && methods[i] == "HEAD" && (after.empty() || after.substr(0, 9) == "HTTP/1.1 ");
    const size_t body_size = length.empty() || head_request ? 0 : std::strtoul(length.c_str(), nullptr, 10);
    Check(answers.size() >= head_end + 4 + body_size, "an answer shorter than its Content-Length");
    const std::string_view body = answers.substr(head_end + 4, body_size);
    if (!head_request && HeaderValue(head, "Content-Type").rfind("application/json", 0) == 0 &&
        HeaderValue(head, "Content-Encoding").empty()) {
      if (!nlohmann::json::accept(body)) Fail("a JSON answer that does not parse: " + std::string(body.substr(0, 2000)));
    }
    answers.remove_prefix(head_end + 4 + body_size);
  }
}

}  // namespace
}  // namespace stroke::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace stroke::fuzz;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  std::string answers;
  (void)TheServer().events().store().Clear();  // each input on its own, so that its file reproduces what it did
  try {
    answers = TheServer().AnswerBytes(input);
  } catch (const std::exception& e) {
    Fail(std::string("an exception escaped the server: ") + e.what());
  }
  CheckAnswers(answers, Methods(input));
  return 0;
}
