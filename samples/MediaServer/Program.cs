using System.CommandLine;
using MediaServer.Cli;
using ZeroCopy.Samples;

// The media server: videos by HTTP range and by timecode, live MPEG-TS channels, a player page. See README.md.
//   MediaServer [--host 127.0.0.1] [--port 8080] [--ingest-port 9000] [--media DIR] [...]   (MediaServer --help lists every option)
//   MediaServer token SUBJECT --secret-file FILE [--valid-for 3600]
RootCommand root = ServeCommand.Create();
root.Subcommands.Add(TokenCommand.Create());
root.Options.OfType<VersionOption>().Single().Action = new LibraryVersionAction();

// Exit codes: 0 stopped, 1 cannot start (a port in use, media or a key file unreadable), 2 invalid command line.
return await CommandLineRunner.RunAsync(root, "MediaServer", args);
