// A request's Content-Type header, read as RFC 9110 §8.3 has it.
#ifndef STROKE_APPS_SERVE_MEDIA_TYPE_H_
#define STROKE_APPS_SERVE_MEDIA_TYPE_H_

#include <string>

namespace stroke::apps {

// A request's Content-Type: the media type and its charset, both lower case
// (RFC 9110 §8.3: case-insensitive).
struct MediaType {
  std::string type;
  std::string charset;
};

// `header` ("Application/JSON; charset=UTF-8") -> {"application/json", "utf-8"}.
MediaType ParseMediaType(const std::string& header);

}  // namespace stroke::apps

#endif  // STROKE_APPS_SERVE_MEDIA_TYPE_H_
