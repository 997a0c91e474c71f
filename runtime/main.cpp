// The entry point of a gnc-built program: the generated object provides the model.
#include "runtime/Commands.h"

int main(int argc, char **argv) { return gnc::rt::runMain(argc, argv, gnc_model_info, gnc_entries); }
