#include "support/UserFile.h"

#include "llvm/ADT/ScopeExit.h"
#include "llvm/Support/FileSystem.h"

#include <cerrno>
#include <system_error>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>> gnc::readUserFile(llvm::StringRef path) {
  auto fromErrno = [] { return llvm::errorCodeToError(std::error_code(errno, std::generic_category())); };
  if (path == "-") {
    auto in = llvm::MemoryBuffer::getSTDIN();
    if (!in)
      return llvm::errorCodeToError(in.getError());
    return std::move(*in);
  }
  int fd = ::open(path.str().c_str(), O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
  if (fd < 0)
    return fromErrno();
  auto closeFd = llvm::scope_exit([&] { ::close(fd); });
  struct stat st;
  if (::fstat(fd, &st) != 0)
    return fromErrno();
  if (S_ISDIR(st.st_mode))
    return llvm::createStringError("is a directory, not a file");
  if (!S_ISREG(st.st_mode))
    return llvm::createStringError("not a regular file");
  auto buf = llvm::MemoryBuffer::getOpenFile(llvm::sys::fs::convertFDToNativeFile(fd), path,
                                             (uint64_t)st.st_size);
  if (!buf)
    return llvm::errorCodeToError(buf.getError());
  return std::move(*buf);
}
