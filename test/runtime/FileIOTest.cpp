// Atomic writes: the old file survives every failure (a missing directory, a full disk
// simulated by RLIMIT_FSIZE), and no temporary is left behind.
#include "runtime/FileIO.h"

#include "TestUtil.h"

#include <algorithm>
#include <chrono>
#include <csignal>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace gnc::rt;
using namespace gnc::rt::test;

TEST(FileIO, WritesAndReplaces) {
  TempDir t;
  std::string p = t.path("out.bin");
  writeFileAtomic(p, "first", 5);
  EXPECT_EQ(readBytes(p), "first");
  writeFileAtomic(p, "second!", 7);
  EXPECT_EQ(readBytes(p), "second!");
  EXPECT_EQ(t.list(), std::vector<std::string>{"out.bin"});
  std::vector<uint8_t> back = readFile(p);
  EXPECT_EQ(std::string(back.begin(), back.end()), "second!");
}

TEST(FileIO, MissingDirectory) {
  TempDir t;
  std::string p = t.path("no/such/dir/out.bin");
  expectError([&] { writeFileAtomic(p, "x", 1); },
              {p, "cannot create a temporary file", "No such file or directory"});
  expectError([&] { checkWritable(p); }, {p, "cannot create files in"});
}

TEST(FileIO, TargetIsDirectory) {
  TempDir t;
  expectError([&] { checkWritable(t.dir); }, {"is a directory"});
  expectError([&] { writeFileAtomic(t.dir, "x", 1); }, {t.dir, "cannot rename"});
  EXPECT_TRUE(t.list().empty());
}

TEST(FileIO, FullDiskKeepsOldFile) {
  TempDir t;
  std::string p = t.path("ckpt.safetensors");
  writeBytes(p, "the old checkpoint");
  checkWritable(p);

  // A 64 KiB file size limit stands in for a full disk: write() fails with EFBIG.
  ignoreFileSizeSignal();
  struct rlimit old;
  ASSERT_EQ(getrlimit(RLIMIT_FSIZE, &old), 0);
  struct rlimit tiny = old;
  tiny.rlim_cur = 64 * 1024;
  ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &tiny), 0);
  std::string big(1 << 20, 'x');
  std::string msg;
  try {
    writeFileAtomic(p, big.data(), big.size());
  } catch (const Error &e) {
    msg = e.what();
  }
  setrlimit(RLIMIT_FSIZE, &old);
  std::signal(SIGXFSZ, SIG_DFL);

  EXPECT_NE(msg.find(p + ": write failed: File too large (the existing file is unchanged)"),
            std::string::npos)
      << msg;
  EXPECT_EQ(readBytes(p), "the old checkpoint");
  EXPECT_EQ(t.list(), std::vector<std::string>{"ckpt.safetensors"}) << "temporary left behind";
}

TEST(FileIO, ReadErrors) {
  TempDir t;
  expectError([&] { readFile(t.path("missing")); }, {t.path("missing"), "cannot open"});
  writeBytes(t.path("big"), std::string(100, 'x'));
  expectError([&] { readFile(t.path("big"), 10); }, {"file too large"});
}

TEST(FileIO, FifoIsRejectedWithoutBlocking) {
  // open() of a FIFO without a writer used to block forever, before the type check.
  TempDir t;
  std::string p = t.path("fifo");
  ASSERT_EQ(::mkfifo(p.c_str(), 0600), 0);
  auto start = std::chrono::steady_clock::now();
  expectError([&] { readFile(p); }, {p, "not a regular file"});
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(1));
}

TEST(FileIO, RemovesStaleTemporariesOnly) {
  TempDir t;
  std::string p = t.path("ck.st");
  pid_t child = ::fork();
  if (child == 0)
    ::_exit(0);
  ASSERT_GT(child, 0);
  ASSERT_EQ(::waitpid(child, nullptr, 0), child); // reaped: its PID names no process
  std::string dead = std::to_string(child), live = std::to_string(::getppid());
  std::vector<std::string> stale = {".ck.st.tmp." + dead + ".0", ".ck.st.tmp." + dead + ".12"};
  std::vector<std::string> kept = {".ck.st.tmp." + live + ".0", ".ck.st.tmp." + dead,
                                   ".ck.st.tmp." + dead + ".0x", ".ck.st.tmp.-" + dead + ".0",
                                   ".ck.stx.tmp." + dead + ".0", "ck.st.tmp." + dead + ".0",
                                   ".ck.st.tmp." + dead + ".1.2", "ck.st"};
  for (const std::string &f : stale)
    writeBytes(t.path(f), "x");
  for (const std::string &f : kept)
    writeBytes(t.path(f), "x");
  ASSERT_EQ(::mkdir(t.path(".ck.st.tmp." + dead + ".5").c_str(), 0700), 0); // not a file
  kept.push_back(".ck.st.tmp." + dead + ".5");

  std::vector<std::string> removed = removeStaleTemporaries(p);
  std::sort(removed.begin(), removed.end());
  EXPECT_EQ(removed, (std::vector<std::string>{t.path(stale[0]), t.path(stale[1])}));
  std::vector<std::string> left = t.list();
  std::sort(left.begin(), left.end());
  std::sort(kept.begin(), kept.end());
  EXPECT_EQ(left, kept);
}

TEST(FileIO, DirectoryOf) {
  EXPECT_EQ(directoryOf("a.bin"), ".");
  EXPECT_EQ(directoryOf("/a.bin"), "/");
  EXPECT_EQ(directoryOf("x/y/a.bin"), "x/y");
}
