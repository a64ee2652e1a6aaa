using System.CommandLine;
using MediaServer.AccessControl;
using MediaServer.Endpoints;
using MediaServer.Live;
using ZeroCopy.Samples;

namespace MediaServer.Cli;

/// <summary><c>MediaServer token SUBJECT --secret-file FILE</c>: a signed token, for the operator to hand out.</summary>
internal static class TokenCommand
{
    public static Command Create()
    {
        var subject = new Argument<string>("subject") { Description = $"A channel name (a publish token, with --publish-secret-file's secret) or a viewer path {string.Join(" or ", Routes.SignedScopes.Select(scope => scope.Subject("NAME")))} (with --viewer-secret-file's)." };
        var secretFile = new Option<FileInfo>("--secret-file") { Description = "The secret file the server was given for this kind of token.", Required = true };
        var validFor = new Option<int>("--valid-for") { Description = "Seconds the token stays valid.", DefaultValueFactory = _ => 3600, CustomParser = RangeParser.Between(1, int.MaxValue) };
        var token = new Command("token", "Prints a signed token (expires=…&token=…): for a channel, to append to PUT /live/CHANNEL? or send as the raw TCP first line; for a path, to append to the viewer's URL.")
        {
            subject, secretFile, validFor,
        };
        token.SetAction(result => Run(result.GetValue(subject)!, result.GetValue(secretFile)!, result.GetValue(validFor)));
        return token;
    }

    private static int Run(string subject, FileInfo secretFile, int validFor)
    {
        bool viewerPath = subject.StartsWith('/') && Routes.SignedScopes.Any(scope => scope.TryMatch(subject[1..].Split('/'), out _, out _));
        if (!ChannelName.IsValid(subject) && !viewerPath)
        {
            Console.Error.WriteLine($"MediaServer: '{subject}' is neither a channel name nor {string.Join(" or ", Routes.SignedScopes.Select(scope => scope.Subject("NAME")))}");
            return 2;
        }

        try
        {
            byte[] secret = SecretFile.Read(secretFile);
            Console.WriteLine(SignedToken.Sign(secret, subject, DateTimeOffset.UtcNow.AddSeconds(validFor)));
            return 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            Console.Error.WriteLine($"MediaServer: {e.Message}");
            return 1;
        }
    }
}
