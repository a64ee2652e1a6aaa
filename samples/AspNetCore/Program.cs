using AspNetCoreSample;

// Serves every file of a media folder from ZeroCopy.VideoCache over HTTP, with range requests (seeking) handled by
// ASP.NET Core itself:
//   dotnet run --project samples/AspNetCore -- [--media DIR] [--urls http://127.0.0.1:5080] [--segment-size BYTES]
await using WebApplication app = await VideoApp.BuildAsync(args);
await app.RunAsync();
