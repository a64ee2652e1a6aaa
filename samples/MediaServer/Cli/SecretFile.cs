namespace MediaServer.Cli;

/// <summary>Secrets read from the files the operator names: the secret that signs tokens (the server's and the token command's), the SRT passphrase.</summary>
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

    /// <summary>Reads an SRT passphrase: the file's text, trimmed, 10 to 79 characters as SRT requires.</summary>
    /// <exception cref="InvalidDataException">The passphrase is shorter than 10 or longer than 79 characters.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    /// <exception cref="UnauthorizedAccessException">The file may not be read.</exception>
    public static string ReadSrtPassphrase(FileInfo file)
    {
        string passphrase = File.ReadAllText(file.FullName).Trim();
        return passphrase.Length is >= 10 and <= 79 ? passphrase : throw new InvalidDataException($"{file.Name}: an SRT passphrase is 10 to 79 characters, this one {passphrase.Length}");
    }
}
