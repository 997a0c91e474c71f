#include "runtime/FileIO.h"

#include "runtime/Error.h"

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <csignal>
#include <cstring>
#include <string>

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace gnc::rt {

namespace {

std::string errnoText(int err) { return std::strerror(err); }

struct Fd {
  int fd = -1;
  explicit Fd(int f) : fd(f) {}
  ~Fd() {
    if (fd >= 0)
      ::close(fd);
  }
  int release() {
    int f = fd;
    fd = -1;
    return f;
  }
};

std::string baseOf(const std::string &path) {
  size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// Creates a fresh temporary next to `path`; returns its fd and sets tmpPath.
int createTemp(const std::string &path, std::string &tmpPath) {
  static std::atomic<unsigned> counter{0};
  std::string dir = directoryOf(path);
  for (int attempt = 0; attempt < 100; ++attempt) {
    tmpPath = dir + "/." + baseOf(path) + ".tmp." + std::to_string(::getpid()) + "." +
              std::to_string(counter++);
    int fd = ::open(tmpPath.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd >= 0)
      return fd;
    if (errno != EEXIST)
      return -1;
  }
  errno = EEXIST;
  return -1;
}

} // namespace

std::string directoryOf(const std::string &path) {
  size_t slash = path.find_last_of('/');
  if (slash == std::string::npos)
    return ".";
  if (slash == 0)
    return "/";
  return path.substr(0, slash);
}

void ignoreFileSizeSignal() { std::signal(SIGXFSZ, SIG_IGN); }

std::vector<uint8_t> readFile(const std::string &path, uint64_t maxBytes) {
  // O_NONBLOCK: a plain open() of a FIFO without a writer blocks forever, before the check
  // below could run. It changes nothing for the regular files we go on to read.
  Fd f(::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC));
  if (f.fd < 0)
    throw Error(path + ": cannot open: " + errnoText(errno));
  struct stat st;
  if (::fstat(f.fd, &st) != 0)
    throw Error(path + ": cannot stat: " + errnoText(errno));
  if (S_ISDIR(st.st_mode))
    throw Error(path + ": is a directory, not a file");
  if (!S_ISREG(st.st_mode))
    throw Error(path + ": not a regular file");
  if ((uint64_t)st.st_size > maxBytes)
    throw Error(path + ": file too large (" + std::to_string(st.st_size) + " bytes)");
  std::vector<uint8_t> bytes((size_t)st.st_size);
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::read(f.fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      throw Error(path + ": read error: " + errnoText(errno));
    if (n == 0)
      break; // the file shrank under us: the caller sees a short (truncated) buffer
    done += (size_t)n;
  }
  bytes.resize(done);
  return bytes;
}

void writeFileAtomic(const std::string &path, const void *data, size_t size) {
  std::string tmp;
  int fd = createTemp(path, tmp);
  if (fd < 0)
    throw Error(path + ": cannot create a temporary file in '" + directoryOf(path) +
                "': " + errnoText(errno));
  Fd file(fd);
  auto fail = [&](const std::string &what, int err) {
    ::close(file.release());
    ::unlink(tmp.c_str());
    std::string kept = ::access(path.c_str(), F_OK) == 0 ? " (the existing file is unchanged)" : "";
    throw Error(path + ": " + what + ": " + errnoText(err) + kept);
  };
  const char *p = static_cast<const char *>(data);
  size_t done = 0;
  while (done < size) {
    ssize_t n = ::write(file.fd, p + done, size - done);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      fail("write failed", errno);
    if (n == 0)
      fail("write failed", ENOSPC);
    done += (size_t)n;
  }
  if (::fsync(file.fd) != 0)
    fail("fsync failed", errno);
  if (::close(file.release()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    throw Error(path + ": close failed: " + errnoText(err));
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    throw Error(path + ": cannot rename the temporary file into place: " + errnoText(err));
  }
  // Make the rename itself durable. A failure here is not reported: the data is written and
  // renamed; only its durability across a power cut is in question.
  Fd dir(::open(directoryOf(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir.fd >= 0)
    ::fsync(dir.fd);
}

std::vector<std::string> removeStaleTemporaries(const std::string &path) {
  std::vector<std::string> removed;
  const std::string dir = directoryOf(path), prefix = "." + baseOf(path) + ".tmp.";
  DIR *d = ::opendir(dir.c_str());
  if (!d)
    return removed; // then writing there fails too, with a better message
  auto isDigits = [](const std::string &s) {
    return !s.empty() && s.size() <= 10 && s.find_first_not_of("0123456789") == std::string::npos;
  };
  while (const dirent *e = ::readdir(d)) {
    std::string name = e->d_name;
    if (name.compare(0, prefix.size(), prefix) != 0)
      continue;
    std::string rest = name.substr(prefix.size());
    size_t dot = rest.find('.');
    if (dot == std::string::npos || !isDigits(rest.substr(0, dot)) || !isDigits(rest.substr(dot + 1)))
      continue;
    unsigned long long number = std::stoull(rest.substr(0, dot));
    if (number == 0 || number > INT32_MAX)
      continue;
    pid_t pid = (pid_t)number;
    if (pid == ::getpid() || ::kill(pid, 0) == 0 || errno != ESRCH)
      continue;
    std::string full = dir + "/" + name;
    struct stat st;
    if (::lstat(full.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::unlink(full.c_str()) == 0)
      removed.push_back(full);
  }
  ::closedir(d);
  return removed;
}

void checkWritable(const std::string &path) {
  struct stat st;
  if (::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode))
    throw Error(path + ": is a directory, not a file");
  std::string tmp;
  int fd = createTemp(path, tmp);
  if (fd < 0)
    throw Error(path + ": cannot create files in '" + directoryOf(path) + "': " + errnoText(errno));
  ::close(fd);
  ::unlink(tmp.c_str());
}

} // namespace gnc::rt
