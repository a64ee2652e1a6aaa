namespace MediaServer.Tests.Clients;

/// <summary>
/// The tests that drive a browser run alone, one class at a time, after the rest of the suite: a browser engine decoding
/// video on a busy two-core machine (WebKitGTK under Xvfb most of all) can stall for longer than a command's time limit.
/// </summary>
[CollectionDefinition(nameof(BrowserGroup), DisableParallelization = true)]
public sealed class BrowserGroup;
