#include "compression.h"

#include <openssl/sha.h>
#include <zlib.h>

#include <cctype>
#include <fstream>
#include <sstream>
#include <cstdlib>

namespace stroke::apps {

std::string Gzip(std::string_view data, int level) {
  z_stream z{};
  constexpr int kGzipWindow = 15 + 16;  // 32 KB window, gzip wrapper
  if (deflateInit2(&z, level, Z_DEFLATED, kGzipWindow, 8, Z_DEFAULT_STRATEGY) != Z_OK) return "";
  std::string out(deflateBound(&z, data.size()), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  const int result = deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return result == Z_STREAM_END ? out : "";
}

bool AcceptsGzip(std::string_view header) {
  size_t start = 0;
  while (start < header.size()) {
    size_t end = header.find(',', start);
    if (end == std::string_view::npos) end = header.size();
    std::string_view item = header.substr(start, end - start);
    start = end + 1;
    const size_t semicolon = item.find(';');
    std::string_view coding = item.substr(0, semicolon);
    while (!coding.empty() && coding.front() == ' ') coding.remove_prefix(1);
    while (!coding.empty() && coding.back() == ' ') coding.remove_suffix(1);
    std::string lower;
    for (char c : coding) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (lower != "gzip" && lower != "x-gzip" && lower != "*") continue;
    if (semicolon == std::string_view::npos) return true;
    const std::string_view params = item.substr(semicolon + 1);
    const size_t q = params.find("q=");
    if (q == std::string_view::npos) return true;
    return std::strtod(std::string(params.substr(q + 2)).c_str(), nullptr) > 0;
  }
  return false;
}

StaticAsset MakeStaticAsset(std::string body, std::string content_type) {
  StaticAsset asset;
  asset.content_type = std::move(content_type);
  asset.body = std::move(body);
  std::string gzip = Gzip(asset.body, 9);
  if (!gzip.empty() && gzip.size() < asset.body.size()) asset.gzip_body = std::move(gzip);
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(asset.body.data()), asset.body.size(), digest);
  static const char* hex = "0123456789abcdef";
  asset.etag = "\"";
  for (int i = 0; i < 12; ++i) {
    asset.etag += hex[digest[i] >> 4];
    asset.etag += hex[digest[i] & 15];
  }
  asset.etag += "\"";
  return asset;
}

std::optional<StaticAsset> LoadStaticAsset(const std::string& path, std::string content_type) {
  std::ifstream file(path, std::ios::binary);
  std::ostringstream text;
  if (file) text << file.rdbuf();
  if (text.str().empty()) return std::nullopt;
  return MakeStaticAsset(text.str(), std::move(content_type));
}

bool EtagMatches(std::string_view if_none_match, std::string_view etag) {
  const auto opaque = [](std::string_view tag) {
    if (tag.substr(0, 2) == "W/") tag.remove_prefix(2);
    return tag;
  };
  while (!if_none_match.empty()) {
    const size_t comma = if_none_match.find(',');
    std::string_view tag = if_none_match.substr(0, comma);
    while (!tag.empty() && (tag.front() == ' ' || tag.front() == '\t')) tag.remove_prefix(1);
    while (!tag.empty() && (tag.back() == ' ' || tag.back() == '\t')) tag.remove_suffix(1);
    if (tag == "*" || (!tag.empty() && opaque(tag) == opaque(etag))) return true;
    if (comma == std::string_view::npos) break;
    if_none_match.remove_prefix(comma + 1);
  }
  return false;
}

}  // namespace stroke::apps
