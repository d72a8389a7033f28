#pragma once
// A fork child's copy-on-write cost, as Redis reports it (rdb_last_cow_size,
// aof_last_cow_size): the child's private dirty memory, i.e. pages that
// stopped being shared with the parent because either side wrote them. The
// child measures itself just before it exits and tells the parent through a
// pipe (Redis's child-info pipe); the parent reads it after reaping.
//
//   CowReport r; r.open(); fork();
//   child:  ...; r.sendFromChild(); _exit(0);
//   parent: r.parentAfterFork(); ... after waitpid: bytes = r.receive();
#include <cstdint>

namespace erdtree::server {

// Private_Dirty of /proc/<pid>/smaps_rollup (pid 0: this process), in bytes;
// 0 when the kernel does not say. No allocation (safe in a forked child).
uint64_t privateDirtyBytes(int pid = 0);

class CowReport {
 public:
  CowReport() = default;
  ~CowReport() { close(); }
  CowReport(const CowReport&) = delete;
  CowReport& operator=(const CowReport&) = delete;

  // Before fork(). Without a pipe (pipe2 failed) there is simply no report.
  void open();
  void parentAfterFork();
  void sendFromChild();
  // The child's figure (0 if it sent none); closes the pipe.
  uint64_t receive();
  void close();

 private:
  int fds_[2] = {-1, -1};
};

}  // namespace erdtree::server
