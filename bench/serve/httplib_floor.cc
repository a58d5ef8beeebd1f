// The HTTP floor on cpp-httplib (Debian's libcpp-httplib-dev): every request
// answered 200 without authentication, as `tokenverify serve
// --answer-200-unauthenticated` answers on libmicrohttpd. bench_serve.py
// builds and measures both, which is how serve's HTTP library was chosen.
//
//   httplib_floor PORT
#include <httplib.h>

#include <cstdlib>

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  httplib::Server server;
  // cpp-httplib serves a keep-alive connection on one pool thread for its whole
  // life: a pool smaller than wrk's connection count would stall the rest.
  server.new_task_queue = [] { return new httplib::ThreadPool(128); };
  auto allowed = [](const httplib::Request&, httplib::Response& res) { res.set_content("allowed\n", "text/plain"); };
  server.Get(".*", allowed);
  server.Post(".*", allowed);
  return server.listen("127.0.0.1", std::atoi(argv[1])) ? 0 : 1;
}
