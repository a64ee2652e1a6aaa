using MediaServer.Tests.Infrastructure;

namespace MediaServer.Tests.Edge;

/// <summary>
/// <see cref="EdgeLiveTests"/> through the nginx edges (deploy/edge): 30 viewers per edge, and nginx's cache lock keeps
/// the origin at one request or two for what they wait for; ffprobe reads the channel too.
/// </summary>
public sealed class EdgeNginxLiveTests(EdgeCluster cluster) : EdgeLiveTests(cluster), IClassFixture<EdgeCluster>
{
    protected override IReadOnlyList<Uri> Edges => Cluster.Edges;

    protected override string ChannelPrefix => "edge";

    protected override int ViewersPerEdge => 30;

    protected override bool ProbesWithFfprobe => true;
}
