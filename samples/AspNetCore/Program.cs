using AspNetCoreSample;

// Serves every file of a media folder from ZeroCopy.VideoCache over HTTP, with range requests (seeking) handled by
// ZeroCopy.AspNetCore:
//   dotnet run --project samples/AspNetCore -- [--media DIR] [--urls http://127.0.0.1:5080] [--segment-size BYTES]
// --help and --version are answered here, before ASP.NET Core's configuration would read them as keys that take the
// next argument as their value (which swallowed `--help --urls X`'s --urls).
if (args.Any(arg => arg is "--help" or "-h" or "-?"))
{
    Console.WriteLine(VideoApp.Usage);
    return 0;
}

if (args.Contains("--version"))
{
    Console.WriteLine($"ZeroCopy {VideoApp.LibraryVersion}");
    return 0;
}

WebApplication app;
try
{
    app = await VideoApp.BuildAsync(args);
}
catch (Exception e) when (e is DirectoryNotFoundException or UnauthorizedAccessException or IOException)
{
    await Console.Error.WriteLineAsync($"AspNetCoreSample: cannot start: {e.Message}");
    return 1;
}

await using (app)
{
    await app.RunAsync();
}

return 0;
