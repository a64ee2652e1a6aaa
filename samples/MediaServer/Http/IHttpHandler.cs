namespace MediaServer.Http;

/// <summary>Answers one request: sends a response on the exchange (and reads the request body, if it takes one).</summary>
internal interface IHttpHandler
{
    /// <summary>Handles <paramref name="exchange"/>; when it returns, the response has been sent or the connection is to close.</summary>
    public ValueTask HandleAsync(HttpExchange exchange);
}
