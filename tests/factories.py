"""One factory per model. Factories make no surprising side effects."""

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

TEST_PASSWORD = "Thidua-2026-test"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name", locale="vi_VN")
    last_name = factory.Faker("last_name", locale="vi_VN")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.test")
    password = factory.django.Password(TEST_PASSWORD)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        """UserFactory(roles=["leader"]) puts the user in those role groups."""
        if create and extracted:
            self.groups.add(*Group.objects.filter(name__in=extracted))
