// Whole-file reads and crash-safe writes.
//
// writeFileAtomic(path, bytes): the bytes go to a new temporary file in the same directory
// (".NAME.tmp.PID.N"), which is flushed and fsync'ed, renamed over `path`, and then the
// directory is fsync'ed. On any failure (ENOSPC, EFBIG under RLIMIT_FSIZE, EIO, a missing
// directory...) the temporary is removed and an Error naming `path` and the cause is thrown:
// an existing file at `path` is never modified or truncated.
#ifndef GNC_RUNTIME_FILEIO_H
#define GNC_RUNTIME_FILEIO_H

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace gnc::rt {

// Reads the whole file; Error "PATH: cannot open: REASON" and the like, or when the file is
// larger than maxBytes.
std::vector<uint8_t> readFile(const std::string &path, uint64_t maxBytes = (1ULL << 36));

void writeFileAtomic(const std::string &path, const void *data, size_t size);

// Removes the temporaries that writeFileAtomic(path, ...) left next to `path` in processes that
// no longer exist (killed mid-write): only names of exactly that pattern, ".NAME.tmp.PID.N",
// regular files, and only when PID is gone (kill(PID, 0) fails with ESRCH), so that a live
// writer's file is never touched. Returns the removed paths.
std::vector<std::string> removeStaleTemporaries(const std::string &path);

// Checks, before a long run, that a file can be created next to `path` (creates and removes a
// temporary); Error naming the directory otherwise.
void checkWritable(const std::string &path);

// The directory part of a path ("." when there is none).
std::string directoryOf(const std::string &path);

// Processes that write files should not be killed by SIGXFSZ when a file size limit is hit;
// with SIGXFSZ ignored, write() fails with EFBIG and the error is reported instead.
void ignoreFileSizeSignal();

} // namespace gnc::rt

#endif
