namespace MediaServer.Http;

/// <summary>One request header field: its name as sent and its value without surrounding whitespace.</summary>
/// <param name="Name">The field name (a token; compare case-insensitively).</param>
/// <param name="Value">The field value, decoded as Latin-1, leading and trailing whitespace removed.</param>
internal readonly record struct HttpHeader(string Name, string Value);
