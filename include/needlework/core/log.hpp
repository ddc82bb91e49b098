#pragma once
// The logging sink. Library code reports progress and notes through a LogSink it is given;
// it never writes to stdout or stderr itself. The CLI supplies a sink that prints
// (io::make_console_sink); tests use MemorySink; the default is NullSink.

#include <string>
#include <string_view>
#include <vector>

namespace nw::core {

enum class LogLevel { debug, info, warning, error };

class LogSink {
 public:
  virtual ~LogSink() = default;
  virtual void log(LogLevel level, std::string_view message) = 0;
  /// Progress of a long task: `fraction` in [0, 1]. Default: ignored.
  virtual void progress(std::string_view task, double fraction) {
    (void)task;
    (void)fraction;
  }
};

/// Discards everything.
class NullSink final : public LogSink {
 public:
  void log(LogLevel, std::string_view) override {}
};

/// Keeps every message in memory (for tests and for attaching notes to results).
class MemorySink final : public LogSink {
 public:
  struct Entry {
    LogLevel level;
    std::string message;
  };
  void log(LogLevel level, std::string_view message) override { entries_.push_back({level, std::string(message)}); }
  const std::vector<Entry>& entries() const { return entries_; }

 private:
  std::vector<Entry> entries_;
};

}  // namespace nw::core
