// main() of gnc-quality-tests. Defined here, not taken from gtest_main, so that the runtime
// library's own main() (runtime/main.cpp, which needs a generated model) is never linked in.
#include <gtest/gtest.h>

int main(int argc, char **argv) {
  testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
