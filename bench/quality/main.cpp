// gnc-quality: checks of the seed lecture's claims about trained autoencoders (QualityCli.h).
#include "bench/quality/QualityCli.h"

#include <iostream>

int main(int argc, char **argv) {
  std::vector<std::string> args(argv + (argc > 0 ? 1 : 0), argv + argc);
  return gnc::quality::qualityMain(args, std::cout, std::cerr);
}
