#include "byte_source.h"

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

namespace stroke::apps {
namespace {

class Descriptor : public ByteSource {
 public:
  Descriptor(int fd, bool owned, std::string name) : fd_(fd), owned_(owned), name_(std::move(name)) {
    struct stat st;
    if (fstat(fd_, &st) == 0 && S_ISREG(st.st_mode)) size_ = static_cast<uint64_t>(st.st_size);
  }
  ~Descriptor() override {
    if (owned_) close(fd_);
  }

  StatusOr<size_t> Read(char* buffer, size_t n) override {
    for (;;) {
      const ssize_t got = read(fd_, buffer, n);
      if (got >= 0) return static_cast<size_t>(got);
      if (errno != EINTR) return IoError("cannot read input " + name_);
    }
  }

  bool Ready() override {
    pollfd p{fd_, POLLIN, 0};
    return poll(&p, 1, 0) != 0;  // readable, at its end, or an error the next Read reports
  }

  uint64_t Size() const override { return size_; }

 private:
  int fd_;
  bool owned_;
  std::string name_;
  uint64_t size_ = 0;
};

class Stream : public ByteSource {
 public:
  explicit Stream(std::istream& in) : in_(in) {}

  StatusOr<size_t> Read(char* buffer, size_t n) override {
    in_.read(buffer, static_cast<std::streamsize>(n));
    if (in_.bad()) return IoError("cannot read input");
    return static_cast<size_t>(in_.gcount());
  }
  bool Ready() override { return true; }
  uint64_t Size() const override { return 0; }

 private:
  std::istream& in_;
};

}  // namespace

std::unique_ptr<ByteSource> DescriptorSource(int fd) {
  return std::make_unique<Descriptor>(fd, false, "(stdin)");
}

StatusOr<std::unique_ptr<ByteSource>> FileSource(const std::string& path) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return IoError("cannot open input \"" + path + "\"");
  std::unique_ptr<ByteSource> source = std::make_unique<Descriptor>(fd, true, "\"" + path + "\"");
  return source;
}

std::unique_ptr<ByteSource> StreamSource(std::istream& in) {
  return std::make_unique<Stream>(in);
}

}  // namespace stroke::apps
