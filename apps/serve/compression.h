// What stroke-serve compresses, when and how. httplib's own on-the-fly
// compression (brotli at its highest quality, seconds of CPU for a large
// answer) is never used: the server removes Accept-Encoding before httplib
// sees it and compresses here instead.
// - Static assets (the /docs files): gzip at the best level, once, when
//   loaded; sent with an ETag and Cache-Control; 304 on If-None-Match.
// - API answers: gzip at level 1 when the client accepts gzip and the body
//   is between kCompressMinBytes and kCompressMaxBytes (about a millisecond a
//   100 KB); otherwise identity.
#ifndef STROKE_APPS_SERVE_COMPRESSION_H_
#define STROKE_APPS_SERVE_COMPRESSION_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace stroke::apps {

inline constexpr size_t kCompressMinBytes = 1024;
inline constexpr size_t kCompressMaxBytes = 1 << 20;

// gzip (RFC 1952) of `data` at zlib level `level` (1 fastest .. 9 best).
// Returns "" if zlib fails.
std::string Gzip(std::string_view data, int level);

// True when an Accept-Encoding header value accepts gzip (a "gzip" or "*"
// coding whose q is not 0; RFC 9110 §12.5.3).
bool AcceptsGzip(std::string_view accept_encoding);

// A file served as is, compressed once.
struct StaticAsset {
  std::string content_type;
  std::string body;
  std::string gzip_body;  // "" when compressing did not make it smaller
  std::string etag;       // strong validator: "\"<sha-256 prefix of body>\""
  // Sent with it; "no-cache" makes browsers revalidate (ETag, 304) on each use.
  std::string cache_control = "public, max-age=86400";
};

// True when an If-None-Match header value names `etag`: "*", or a
// comma-separated list holding it, compared weakly (W/ ignored; RFC 9110
// §13.1.2), so the answer is 304.
bool EtagMatches(std::string_view if_none_match, std::string_view etag);

// Builds the asset for `body` (compresses it: call once, at load).
StaticAsset MakeStaticAsset(std::string body, std::string content_type);

// The asset of the file at `path`, read whole; nullopt when it cannot be
// read or is empty.
std::optional<StaticAsset> LoadStaticAsset(const std::string& path, std::string content_type);

}  // namespace stroke::apps

#endif  // STROKE_APPS_SERVE_COMPRESSION_H_
