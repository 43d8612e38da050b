"""Signing in to the API (API.md, Authentication): username and password in, the user's token out."""

from __future__ import annotations

from django.contrib.auth import authenticate
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.authtoken.models import Token
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import APIView

from .permissions import AllowAnyone


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=4096, trim_whitespace=False, style={"input_type": "password"})


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()


class TokenView(APIView):
    """POST username and password → the user's API token."""

    permission_classes = [AllowAnyone]
    authentication_classes: list = []
    parser_classes = [JSONParser]

    @extend_schema(
        request=TokenRequestSerializer,
        responses={200: TokenSerializer},
        auth=[],
        summary="Get an API token",
        description="Send it as `Authorization: Token <token>` on every other request.",
    )
    def post(self, request):
        data = TokenRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = authenticate(request._request, username=data.validated_data["username"], password=data.validated_data["password"])
        if user is None or not user.is_active:
            raise serializers.ValidationError({"password": ["That username and password do not match an active user."]})
        token, _ = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})
