namespace MediaServer.Tests.Infrastructure;

/// <summary>The edge tier with its live half: two origins, two nginx edges and two Varnish live edges (deploy/edge/varnish.sh).</summary>
public class LiveEdgeCluster : EdgeCluster
{
    public override int LiveEdgeCount => 2;
}
