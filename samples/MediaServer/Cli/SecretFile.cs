namespace MediaServer.Cli;

/// <summary>The secret that signs tokens, read from the file the operator names (the server's and the token command's).</summary>
internal static class SecretFile
{
    /// <summary>Reads the file's text, trimmed, as UTF-8.</summary>
    /// <exception cref="InvalidDataException">The secret is shorter than 16 bytes.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    /// <exception cref="UnauthorizedAccessException">The file may not be read.</exception>
    public static byte[] Read(FileInfo file)
    {
        byte[] secret = System.Text.Encoding.UTF8.GetBytes(File.ReadAllText(file.FullName).Trim());
        return secret.Length >= 16 ? secret : throw new InvalidDataException($"{file.Name}: a token secret needs at least 16 bytes");
    }
}
