using Microsoft.Net.Http.Headers;
using ZeroCopy;

namespace AspNetCoreSample;

/// <summary>One video the app serves: its bytes in a <see cref="VideoCache"/> and the HTTP metadata that go with them.</summary>
/// <param name="Name">The name clients ask for: the file name.</param>
/// <param name="Cache">The video's bytes; owned by the <see cref="VideoLibrary"/>.</param>
/// <param name="ContentType">The media type sent in <c>Content-Type</c>.</param>
/// <param name="LastModified">The file's last write time at whole seconds, for <c>Last-Modified</c> and the date conditions.</param>
/// <param name="ETag">A strong entity tag (length and write time, the media server's recipe), for <c>ETag</c> and the tag conditions.</param>
public sealed record Video(string Name, VideoCache Cache, string ContentType, DateTimeOffset LastModified, EntityTagHeaderValue ETag);
