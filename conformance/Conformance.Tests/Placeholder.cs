namespace Conformance.Tests;
