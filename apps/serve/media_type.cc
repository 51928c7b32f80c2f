#include "media_type.h"

#include <algorithm>
#include <cctype>

namespace stroke::apps {

MediaType ParseMediaType(const std::string& header) {
  auto lower = [](std::string text) {
    for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.pop_back();
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.erase(0, 1);
    return text;
  };
  MediaType media;
  media.type = lower(header.substr(0, header.find(';')));
  const std::string params = lower(header.substr(std::min(header.size(), header.find(';'))));
  const size_t at = params.find("charset=");
  if (at != std::string::npos) {
    media.charset = params.substr(at + 8, params.find(';', at) - at - 8);
    if (media.charset.size() >= 2 && media.charset.front() == '"' && media.charset.back() == '"') {
      media.charset = media.charset.substr(1, media.charset.size() - 2);
    }
  }
  return media;
}

}  // namespace stroke::apps
