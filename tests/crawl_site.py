"""A small site with one fault of each kind, to show that the crawler (tests/test_crawl.py) fails.

Used as ROOT_URLCONF by the crawler's own tests; the demo crawl never loads it.
"""

from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.urls import path

HOME = """
<a href="ok/">relative link to a page that works</a>
<a href="/ok/#part">the same page with a fragment</a>
<a href="/crash/">a page that crashes</a>
<a href="/hidden/">a page the reader may not open</a>
<a href="/nowhere/">an address nothing serves</a>
<a href="/moved/">a redirect to a page the reader may not open</a>
<a href="/away/">a redirect to another site</a>
<a href="/logout/">the logout, never followed</a>
<a href="https://example.org/crash/">another site</a>
<a href="/static/site.css">a static file</a>
"""


@login_not_required
def home(request):
    return HttpResponse(HOME)


@login_not_required
def page(request):
    return HttpResponse("<p>Nothing to follow here.</p>")


@login_not_required
def crash(request):
    raise ValueError("a template that crashes on empty data")


@login_not_required
def hidden(request, **kwargs):
    raise Http404("outside the reader's scope")


@login_not_required
def moved(request):
    return HttpResponseRedirect("/hidden/2/")


@login_not_required
def away(request):
    return HttpResponseRedirect("https://example.org/crash/")


urlpatterns = [
    path("", home, name="home"),
    path("ok/", page, name="ok"),
    path("crash/", crash, name="crash"),
    path("hidden/", hidden, name="hidden"),
    path("hidden/<int:pk>/", hidden, name="hidden-detail"),
    path("moved/", moved, name="moved"),
    path("away/", away, name="away"),
    path("logout/", crash, name="logout"),
]


def not_found(request, exception):
    """This small site has none of the project's URLs that the project's 404 page links to."""
    return HttpResponse("<p>Not found.</p>", status=404)


handler404 = not_found
