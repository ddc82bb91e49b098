#pragma once
// The LogSink the command-line tool uses: messages and progress on stderr (stdout stays
// clean for results and --json).

#include <memory>

#include "needlework/core/log.hpp"

namespace nw::io {

/// Warnings and errors always; info when `verbose`. Progress draws a bar on a terminal and
/// prints a line every 10% otherwise.
std::unique_ptr<core::LogSink> make_console_sink(bool verbose);

}  // namespace nw::io
