using System.CommandLine;
using MediaServer.Cli;
using MediaServer.Hosting;
using ZeroCopy.Samples;

// The media server: videos by HTTP range and by timecode, live MPEG-TS channels, a player page. See README.md.
//   MediaServer [--host 127.0.0.1] [--port 8080] [--ingest-port 9000] [--media DIR] [...]   (MediaServer --help lists every option)
//   MediaServer token SUBJECT --secret-file FILE [--valid-for 3600]

// First, before anything starts a thread-pool worker: on the socket loop the pool's workers wake rarely and need not spin.
ThreadPoolSpin.TurnOffOnTheLoop();

RootCommand root = ServeCommand.Create();
root.Subcommands.Add(TokenCommand.Create());
root.Options.OfType<VersionOption>().Single().Action = new LibraryVersionAction();

// Exit codes: 0 stopped, 1 cannot start (a port in use, media or a key file unreadable), 2 invalid command line.
return await CommandLineRunner.RunAsync(root, "MediaServer", args);
