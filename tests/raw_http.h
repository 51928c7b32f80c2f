// A raw TCP client for the stroke-serve tests: sends what httplib's client
// cannot (broken bytes, pipelined requests, slow headers) and parses the
// answers it reads back.
#ifndef STROKE_TESTS_RAW_HTTP_H_
#define STROKE_TESTS_RAW_HTTP_H_

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace stroke::testing {

struct RawResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;
  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
};

// Splits `bytes` into the complete HTTP responses it holds, in order.
inline std::vector<RawResponse> ParseResponses(std::string_view bytes) {
  std::vector<RawResponse> out;
  while (!bytes.empty()) {
    const size_t head_end = bytes.find("\r\n\r\n");
    if (head_end == std::string_view::npos || bytes.substr(0, 9).substr(0, 5) != "HTTP/") break;
    RawResponse r;
    r.status = std::atoi(std::string(bytes.substr(9, 3)).c_str());
    std::string_view head = bytes.substr(0, head_end);
    size_t line = head.find("\r\n");
    while (line != std::string_view::npos) {
      const size_t next = head.find("\r\n", line + 2);
      std::string_view field = head.substr(line + 2, next == std::string_view::npos ? std::string_view::npos : next - line - 2);
      const size_t colon = field.find(':');
      if (colon != std::string_view::npos) {
        std::string name(field.substr(0, colon));
        for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        std::string_view value = field.substr(colon + 1);
        while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
        r.headers[name] = std::string(value);
      }
      line = next;
    }
    const size_t length = std::strtoul(r.header("content-length").c_str(), nullptr, 10);
    if (bytes.size() < head_end + 4 + length) break;
    r.body = std::string(bytes.substr(head_end + 4, length));
    bytes.remove_prefix(head_end + 4 + length);
    if (r.status != 100) out.push_back(std::move(r));
  }
  return out;
}

class RawConnection {
 public:
  // receive_buffer > 0: SO_RCVBUF, for clients that read slowly or not at all.
  explicit RawConnection(int port, int receive_buffer = 0) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    if (receive_buffer > 0) setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof receive_buffer);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      ::close(fd_);
      fd_ = -1;
    }
    int yes = 1;
    if (fd_ >= 0) setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
  }
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;
  ~RawConnection() {
    if (fd_ >= 0) ::close(fd_);
  }
  bool connected() const { return fd_ >= 0; }

  bool Send(std::string_view bytes) {
    while (!bytes.empty()) {
      const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      bytes.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }
  // Half-closes: the server sees the end of the input.
  void ShutdownWrite() { ::shutdown(fd_, SHUT_WR); }
  // Reads until the server closes, `count` responses are complete, or
  // `timeout` passes. Returns every byte read.
  std::string Read(std::chrono::milliseconds timeout, size_t count = 1) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      if (ParseResponses(received_).size() >= count) break;
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) break;
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
      char buf[65536];
      const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) {
        closed_ = true;
        break;
      }
      received_.append(buf, static_cast<size_t>(n));
    }
    return received_;
  }
  // The first `count` responses read within `timeout` (fewer if they did not come).
  std::vector<RawResponse> Responses(std::chrono::milliseconds timeout, size_t count = 1) {
    return ParseResponses(Read(timeout, count));
  }
  // True once the server has closed the connection (seen by a read).
  bool ClosedByServer(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!closed_ && std::chrono::steady_clock::now() < deadline) Read(std::chrono::milliseconds(50), 1000000);
    return closed_;
  }

 private:
  int fd_ = -1;
  bool closed_ = false;
  std::string received_;
};

// A GET request's bytes (Host t, no body).
inline std::string Get(const std::string& target) { return "GET " + target + " HTTP/1.1\r\nHost: t\r\n\r\n"; }

// A POST request's bytes: JSON body, Host t, Content-Length, `extra` header
// lines (each ending \r\n) before it.
inline std::string Post(const std::string& target, const std::string& body, const std::string& extra = "") {
  return "POST " + target + " HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n" + extra +
         "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

}  // namespace stroke::testing

#endif  // STROKE_TESTS_RAW_HTTP_H_
