#pragma once
// Named crash points for the crash tests (integration/aof_crash_test.cpp):
// when the environment variable ERDTREE_CRASH_AT names a point, the process
// kills itself with SIGKILL the first time it reaches it, exactly as a crash
// or kill -9 at that instant would. With the variable unset (production)
// each point costs one predictable branch on a cached flag.
//
// Points: rotation-before-manifest, manifest-before-rename,
// rewrite-before-manifest, rewrite-before-unlink, rewrite-child (the forked
// rewrite child dies, the server lives on); docs/aof.md lists them.
namespace erdtree::util {

void crashPoint(const char* name);

}  // namespace erdtree::util
