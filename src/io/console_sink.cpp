#include "needlework/io/console_sink.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <string>

namespace nw::io {
namespace {

class ConsoleSink final : public core::LogSink {
 public:
  explicit ConsoleSink(bool verbose) : verbose_(verbose), tty_(isatty(fileno(stderr)) != 0) {}

  void log(core::LogLevel level, std::string_view message) override {
    if (level == core::LogLevel::debug || (level == core::LogLevel::info && !verbose_)) return;
    const char* tag = level == core::LogLevel::error ? "error" : level == core::LogLevel::warning ? "warning" : "info";
    end_bar();
    fmt::print(stderr, "needlework: {}: {}\n", tag, message);
  }

  void progress(std::string_view task, double fraction) override {
    const int percent = static_cast<int>(std::lround(fraction * 100.0));
    if (tty_) {
      const int filled = percent / 5;
      fmt::print(stderr, "\r{:<28} [{:<20}] {:3d}%", task, std::string(static_cast<std::size_t>(filled), '#'), percent);
      bar_open_ = percent < 100;
      if (!bar_open_) fmt::print(stderr, "\n");
    } else if (percent / 10 != last_decile_ || task != last_task_) {
      last_decile_ = percent / 10;
      last_task_ = std::string(task);
      fmt::print(stderr, "needlework: {} {}%\n", task, percent);
    }
  }

  ~ConsoleSink() override { end_bar(); }

 private:
  void end_bar() {
    if (bar_open_) fmt::print(stderr, "\n");
    bar_open_ = false;
  }
  bool verbose_;
  bool tty_;
  bool bar_open_ = false;
  int last_decile_ = -1;
  std::string last_task_;
};

}  // namespace

std::unique_ptr<core::LogSink> make_console_sink(bool verbose) { return std::make_unique<ConsoleSink>(verbose); }

}  // namespace nw::io
